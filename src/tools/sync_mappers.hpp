// sync_mappers: writes the generated mapper headers (include/hwcal/mappers/) from the database,
// and --check, the drift gate CI runs on the committed headers.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/io.hpp"

namespace hwcal {

struct SyncMappersOptions {
  std::filesystem::path database;
  // Default: default_mapper_dir(database), i.e. <database root's parent>/include/hwcal/mappers.
  std::optional<std::filesystem::path> output_dir;
  std::vector<std::string> ids;  // only these entries' headers (and the index); empty: all
  bool check = false;            // write nothing; report stale, missing and orphan headers
  bool quiet = false;
  bool json = false;  // --format json: one JSON object on stdout instead of lines
};

// Writing: every entry of the database must validate, else nothing is written and the failing
// entries are named (exit 1). The new headers are written as one change (a Transaction, under
// the database lock): a folder that cannot be written, or a kill, leaves every header as it
// was, or all of them new. Unchanged headers are not
// touched; a full run removes generated headers no entry backs.
// Checking: exit 1 naming each header that is stale, edited by hand, missing or not backed by an
// entry (and each entry that fails validation).
int run_sync_mappers(const SyncMappersOptions& options, Io& io);

}  // namespace hwcal
