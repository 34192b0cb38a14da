// What every program shares: --database, --help, --version, -v/--quiet, and the one place where
// exceptions become exit codes (0 success, 1 the work failed, 2 bad usage).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace hwcal::cli {

struct CommonOptions {
  std::string database;  // empty: find_default_database()
  int verbosity = 0;     // -v, -vv
  bool quiet = false;
  std::string version_text;     // what --version prints
  double lock_timeout_s = 300;  // --lock-timeout: how long a writer waits for the lock
};

// A number in [low, high]: unlike CLI::Range, "nan" and "inf" are refused.
CLI::Validator finite_range(double low, double high);

// Adds --database, --lock-timeout, -v/--verbose, --quiet and --version to `app`.
void add_common_options(CLI::App& app, CommonOptions& options, const std::string& program);

// The database folder the options name, or the default one.
std::filesystem::path database_root(const CommonOptions& options);

// Parses argv, sets up logging, runs `body` and maps what it throws to an exit code:
// CLI11 errors and hwcal::UsageError -> 2 with the usage line; hwcal::Error -> 1 with its
// message on stderr; anything else -> 1 as an internal error. No signal ends a program: SIGPIPE
// and SIGXFSZ (a file-size limit) are ignored, so that a closed pipe or a write past the limit
// becomes an error on the write that the program reports (exit 1).
int run(CLI::App& app, int argc, char** argv, const CommonOptions& options,
        const std::function<int()>& body);

}  // namespace hwcal::cli
