// Changes to several files that land all together or not at all, and the recovery of a change
// that a kill or a crash interrupted.
//
// A Transaction stages every file as a flushed temp file beside its target, then records an
// intent journal (<database>/.hwcal.journal: every temp and its target) with one atomic write,
// renames the temps over their targets, and removes the journal. A kill before the journal
// exists leaves only temp files (the targets untouched); a kill after it leaves a journal that
// the next writer rolls forward when it takes the database lock (DatabaseLock), before it reads
// anything. Either way every target holds its old content or its new one, all of them alike.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hwcal/json/json_io.hpp"

namespace hwcal {

class Transaction {
 public:
  // `database_root` is where the journal goes; the caller holds its DatabaseLock.
  explicit Transaction(std::filesystem::path database_root);
  ~Transaction();  // discards what was staged unless committed
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Stages `content` for `target` now (creating its folders): a full disk or a missing
  // permission shows here, before any target changed. A target that is a symbolic link is
  // written through to the file it names when that file lies under `tree` (the folder that
  // holds the database and its profiles); a link that leads outside it is refused. IoError.
  void write(const std::filesystem::path& target, std::string_view content);

  // Renames everything staged into place (see above). Nothing staged: nothing happens.
  void commit();

  std::size_t size() const { return staged_.size(); }

 private:
  std::filesystem::path root_;
  std::vector<StagedFile> staged_;
  bool committed_ = false;
};

// What recover_database did.
struct Recovery {
  std::size_t rolled_forward = 0;      // files an interrupted change renamed into place
  std::size_t temp_files_removed = 0;  // leftovers of writers that died before committing
  std::vector<std::string> messages;   // one line for each thing done, for stderr
};

// Rolls forward an interrupted change recorded in <root>/.hwcal.journal, then removes the temp
// files that dead writers left under `root`, under <root's parent>/profiles and in `extra`
// folders. Call it only holding the database lock (DatabaseLock does). DataError when the
// journal is unreadable or names files outside the tree (nothing is renamed then).
Recovery recover_database(const std::filesystem::path& root,
                          const std::vector<std::filesystem::path>& extra = {});

// <root>/.hwcal.journal
std::filesystem::path journal_path(const std::filesystem::path& root);

}  // namespace hwcal
