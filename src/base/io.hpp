// The streams a tool talks to. Programs pass std::cout/cerr/cin; tests pass string streams.
#pragma once

#include <iostream>

namespace hwcal {

struct Io {
  std::ostream& out;  // results
  std::ostream& err;  // diagnostics and the human summary when results go to a file
  std::istream& in;
  bool out_is_terminal = false;
  bool err_is_terminal = false;
  bool in_is_terminal = false;
};

// The process's own streams, with terminal detection.
Io standard_io();

}  // namespace hwcal
