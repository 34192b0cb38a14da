// sync_mappers: the generated mapper headers from the database; --check for CI.
#include <filesystem>
#include <optional>
#include <system_error>

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "tools/sync_mappers.hpp"

namespace {

// The install this program runs from, when `database` is its installed database.
std::optional<hwcal::Installation> installation_of(const std::filesystem::path& database) {
  std::optional<hwcal::Installation> install = hwcal::running_installation();
  std::error_code ec;
  if (install && std::filesystem::equivalent(database, install->database, ec)) return install;
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Generate the C++ mapper headers (inline constexpr resource models) from the hardware "
      "database: one header per entry and an index, all.hpp. The database is the single source "
      "of truth; the headers are committed so that their diffs show in review.\n\n"
      "Examples:\n"
      "  sync_mappers                                regenerate every header\n"
      "  sync_mappers --id jetson_orin_nano_gpu      regenerate one entry's header and the index\n"
      "  sync_mappers --check                        write nothing; exit 1 on a stale header (CI)",
      "sync_mappers"};
  hwcal::cli::CommonOptions common;
  hwcal::cli::add_common_options(app, common, "sync_mappers");

  hwcal::SyncMappersOptions options;
  std::string output_dir;
  app.add_option("--output-dir", output_dir,
                 "Folder of the headers (default: include/hwcal/mappers beside the database "
                 "folder; for an installed database, the install's, which only --check uses)");
  app.add_option("--id", options.ids, "Only this entry's header and the index (repeatable)");
  app.add_flag("--check", options.check,
               "Write nothing; exit 1 naming each header that is stale, missing or not backed "
               "by an entry");

  std::string format = "console";
  app.add_option("--format", format,
                 "Output form: console (a line per header) or json (one object: the headers "
                 "written, removed and unchanged; with --check the problems found)")
      ->check(hwcal::cli::one_of({"console", "json"}));

  return hwcal::cli::run(app, argc, argv, common, [&] {
    options.json = format == "json";
    options.database = hwcal::cli::database_root(common);
    if (!output_dir.empty()) {
      options.output_dir = output_dir;
    } else if (auto install = installation_of(options.database)) {
      // An install's headers sit in its include folder, not beside its database. --check reads
      // them; rewriting them is for reinstalling hwcal, or for a folder named on purpose.
      if (!options.check) {
        throw hwcal::UsageError(
            options.database.string() + " is the database installed with sync_mappers: " +
            "its headers (" + install->mapper_dir.string() + ") belong to that install and " +
            "are not rewritten; pass --output-dir DIR to write headers elsewhere, or --check");
      }
      options.output_dir = install->mapper_dir;
    }
    options.quiet = common.quiet;
    hwcal::Io io = hwcal::standard_io();
    return hwcal::run_sync_mappers(options, io);
  });
}
