// The tool's version and the git revision it was built from: part of --version and of every
// calibration profile, so a stored number can be traced to the code that produced it.
#pragma once

#include <string>

namespace hwcal {

const char* version();
// `git describe --dirty` of the source tree when this was built; "unknown" outside a checkout.
const char* git_revision();

// "summarize_database (hwcal) 0.1.0, git 1a2b3c4d5e6f"
std::string version_line(const std::string& program);

}  // namespace hwcal
