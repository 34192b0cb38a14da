// What every program shares: --database, --help, --version, -v/--quiet, and the one place where
// exceptions become exit codes (0 success, 1 the work failed, 2 bad usage).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <spdlog/common.h>
#include <CLI/CLI.hpp>

namespace hwcal::cli {

struct CommonOptions {
  std::string database;  // empty: find_default_database()
  int verbosity = 0;     // -v, -vv
  bool quiet = false;
  std::string version_text;     // what --version prints
  double lock_timeout_s = 300;  // --lock-timeout: how long a writer waits for the lock
};

// What --quiet means in every program (its --help line; README.md says the same).
inline constexpr const char* kQuietHelp =
    "Print only the result (the report, table, JSON or diff asked for) on stdout and only errors "
    "on stderr: no progress, notes, hints, warnings or 'written to' lines";

// One of `names`, exactly (case too); otherwise the message says which were meant, with a
// "did you mean" hint for a near miss ("Quick" -> quick). CLI::IsMember without the guessing.
CLI::Validator one_of(std::vector<std::string> names);

// The log level the options ask for: warnings by default, -v info, -vv debug, -vvv trace;
// --quiet errors only.
spdlog::level::level_enum log_level(const CommonOptions& options);

// Logs go to stderr ("info: ...") at log_level(options). run() calls this after parsing.
void set_up_logging(const CommonOptions& options);

// "unknown option --fromat (did you mean --format?)" for each argument of argv that looks like
// an option `app` does not know; empty when there is none.
std::string unknown_options(const CLI::App& app, int argc, const char* const* argv);

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
