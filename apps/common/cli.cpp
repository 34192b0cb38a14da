#include "cli.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <iostream>
#include <vector>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "base/suggest.hpp"
#include "base/version.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"

namespace hwcal::cli {
namespace {

std::string usage_line(const CLI::App& app) {
  return "usage: " + app.get_name() + " [OPTIONS]; see " + app.get_name() + " --help";
}

// Every option name `app` knows, with its dashes: "--format", "-v".
std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
  }
  return names;
}

}  // namespace

std::string unknown_options(const CLI::App& app, int argc, const char* const* argv) {
  const std::vector<std::string> known = option_names(app);
  std::string text;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    const bool long_name = arg.size() > 2 && arg.compare(0, 2, "--") == 0;
    const bool short_name = arg.size() == 2 && arg[0] == '-' && arg[1] != '-';
    if (!long_name && !short_name) continue;
    const std::string name = arg.substr(0, arg.find('='));
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    text += fmt::format("{}unknown option {}{}", text.empty() ? "" : "; ", name,
                        did_you_mean(known, name));
  }
  return text;
}

spdlog::level::level_enum log_level(const CommonOptions& options) {
  if (options.quiet) return spdlog::level::err;
  switch (options.verbosity) {
    case 0: return spdlog::level::warn;
    case 1: return spdlog::level::info;
    case 2: return spdlog::level::debug;
    default: return spdlog::level::trace;
  }
}

void set_up_logging(const CommonOptions& options) {
  std::shared_ptr<spdlog::logger> logger = spdlog::get("hwcal");
  if (!logger) {
    logger = spdlog::stderr_color_mt("hwcal");
    logger->set_pattern("%^%l%$: %v");
  }
  spdlog::set_default_logger(logger);
  spdlog::set_level(log_level(options));
}

CLI::Validator one_of(std::vector<std::string> names) {
  std::string shown;
  for (const std::string& name : names) shown += (shown.empty() ? "" : ", ") + name;
  return CLI::Validator(
      [names, shown](std::string& text) -> std::string {
        if (std::find(names.begin(), names.end(), text) != names.end()) return "";
        return fmt::format("'{}' is not one of {}{}", text, shown, did_you_mean(names, text));
      },
      "{" + shown + "}");
}

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
  app.add_flag("-v,--verbose", options.verbosity,
               "Log what the program decides on stderr: -v its steps (info), -vv their detail "
               "(debug)");
  app.add_flag("--quiet", options.quiet, kQuietHelp);
  app.set_version_flag("--version", options.version_text);
}

std::filesystem::path database_root(const CommonOptions& options) {
  if (!options.database.empty()) return options.database;
  DefaultDatabase found = find_default_database();
  spdlog::info("database: {} ({})", found.root.string(), found.found_by);
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
  } catch (const CLI::ExtrasError& error) {
    // CLI11 2.1 has no suggestions of its own: name each unknown option with the closest known.
    const std::string unknown = unknown_options(app, argc, argv);
    std::cerr << app.get_name() << ": " << (unknown.empty() ? std::string(error.what()) : unknown)
              << "\n"
              << usage_line(app) << "\n";
    return 2;
  } catch (const CLI::ParseError& error) {
    std::cerr << app.get_name() << ": " << error.what() << "\n" << usage_line(app) << "\n";
    return 2;
  }
  set_up_logging(options);
  set_lock_timeout(options.lock_timeout_s);
  set_lock_notes(!options.quiet);
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
