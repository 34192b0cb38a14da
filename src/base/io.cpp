#include "base/io.hpp"

#include <unistd.h>

namespace hwcal {

Io standard_io() {
  return Io{std::cout,
            std::cerr,
            std::cin,
            ::isatty(STDOUT_FILENO) == 1,
            ::isatty(STDERR_FILENO) == 1,
            ::isatty(STDIN_FILENO) == 1};
}

}  // namespace hwcal
