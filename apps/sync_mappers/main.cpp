// sync_mappers: the generated mapper headers from the database; --check for CI.
#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "hwcal/base/error.hpp"
#include "tools/sync_mappers.hpp"

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
                 "folder)");
  app.add_option("--id", options.ids, "Only this entry's header and the index (repeatable)");
  app.add_flag("--check", options.check,
               "Write nothing; exit 1 naming each header that is stale, missing or not backed "
               "by an entry");

  return hwcal::cli::run(app, argc, argv, common, [&] {
    options.database = hwcal::cli::database_root(common);
    if (!output_dir.empty()) options.output_dir = output_dir;
    options.quiet = common.quiet;
    hwcal::Io io = hwcal::standard_io();
    return hwcal::run_sync_mappers(options, io);
  });
}
