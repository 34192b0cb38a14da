// The one exception family of the library. Only a program's main turns these into exit codes:
// UsageError -> 2, every other Error -> 1. Messages name the file and JSON pointer where they can.
#pragma once

#include <stdexcept>
#include <string>

namespace hwcal {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A flag value outside its fixed set, a missing required flag, a contradiction between flags.
class UsageError : public Error {
 public:
  using Error::Error;
};

// A file that cannot be read or written: missing, unreadable, disk full.
class IoError : public Error {
 public:
  using Error::Error;
};

// Data that is malformed or inconsistent: bad JSON, a wrong type, an unknown id.
// file and pointer are kept separately so callers can build diagnostics from them.
class DataError : public Error {
 public:
  DataError(std::string file, std::string pointer, const std::string& message);

  const std::string& file() const { return file_; }
  const std::string& pointer() const { return pointer_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string file_;
  std::string pointer_;
  std::string detail_;
};

}  // namespace hwcal
