#include "cli.hpp"

#include <iostream>

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

void add_common_options(CLI::App& app, CommonOptions& options, const std::string& program) {
  options.version_text = version_line(program);
  app.add_option("--database", options.database,
                 "Database folder (default: $HWCAL_DATABASE, else the one installed with this "
                 "program, else, in a build folder, the source tree's hardware_database)");
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
  try {
    app.parse(argc, argv);
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
  try {
    return body();
  } catch (const UsageError& error) {
    std::cerr << app.get_name() << ": " << error.what() << "\n" << usage_line(app) << "\n";
    return 2;
  } catch (const Error& error) {
    std::cerr << app.get_name() << ": error: " << error.what() << "\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << app.get_name() << ": internal error: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace hwcal::cli
