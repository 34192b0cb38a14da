#include "cli.hpp"

#include <cmath>
#include <csignal>
#include <iostream>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "base/version.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"

namespace hwcal::cli {
namespace {

std::string usage_line(const CLI::App& app) {
  return "usage: " + app.get_name() + " [OPTIONS]; see " + app.get_name() + " --help";
}

void set_up_logging(const CommonOptions& options) {
  auto logger = spdlog::stderr_color_mt("hwcal");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  if (options.quiet) {
    spdlog::set_level(spdlog::level::err);
  } else if (options.verbosity >= 2) {
    spdlog::set_level(spdlog::level::trace);
  } else if (options.verbosity == 1) {
    spdlog::set_level(spdlog::level::debug);
  } else {
    spdlog::set_level(spdlog::level::info);
  }
}

}  // namespace

CLI::Validator finite_range(double low, double high) {
  return CLI::Validator(
      [low, high](std::string& text) -> std::string {
        std::size_t used = 0;
        double value = 0;
        try {
          value = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != text.size() || !std::isfinite(value) || value < low || value > high) {
          return fmt::format("expected a number from {} to {}, got '{}'", low, high, text);
        }
        return "";
      },
      fmt::format("NUMBER in [{} - {}]", low, high));
}

void add_common_options(CLI::App& app, CommonOptions& options, const std::string& program) {
  options.version_text = version_line(program);
  app.add_option("--database", options.database,
                 "Database folder (default: $HWCAL_DATABASE, else the one installed with this "
                 "program, else, in a build folder, the source tree's hardware_database)");
  app.add_option("--lock-timeout", options.lock_timeout_s,
                 "Seconds a writer waits for another's lock on the database before giving up "
                 "(default 300)")
      ->check(finite_range(0, 1e6));
  app.add_flag("-v,--verbose", options.verbosity, "More log output on stderr (-vv for trace)");
  app.add_flag("--quiet", options.quiet, "Only errors on stderr; no human summary on stdout");
  app.set_version_flag("--version", options.version_text);
}

std::filesystem::path database_root(const CommonOptions& options) {
  if (!options.database.empty()) return options.database;
  DefaultDatabase found = find_default_database();
  spdlog::debug("database: {} ({})", found.root.string(), found.found_by);
  return found.root;
}

int run(CLI::App& app, int argc, char** argv, const CommonOptions& options,
        const std::function<int()>& body) {
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    app.parse(argc, argv);
    // An empty --database would silently mean the default one.
    if (app.count("--database") > 0 && options.database.empty()) {
      throw CLI::ValidationError("--database", "an empty path names no folder");
    }
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << options.version_text << "\n";
    return 0;
  } catch (const CLI::ParseError& error) {
    std::cerr << app.get_name() << ": " << error.what() << "\n" << usage_line(app) << "\n";
    return 2;
  }
  set_up_logging(options);
  set_lock_timeout(options.lock_timeout_s);
  try {
    const int code = body();
    std::cout.flush();
    if (!std::cout) {
      std::cerr << app.get_name() << ": error: cannot write the output (standard output)\n";
      return 1;
    }
    return code;
  } catch (const UsageError& error) {
    std::cerr << app.get_name() << ": " << error.what() << "\n" << usage_line(app) << "\n";
    return 2;
  } catch (const Error& error) {
    std::cerr << app.get_name() << ": error: " << error.what() << "\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << app.get_name() << ": internal error: " << error.what() << "\n";
    return 1;
  } catch (...) {
    std::cerr << app.get_name() << ": internal error: an exception of unknown type\n";
    return 1;
  }
}

}  // namespace hwcal::cli
