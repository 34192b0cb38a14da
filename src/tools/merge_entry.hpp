// `export_calibration merge-entry`: the git merge driver for database entries (docs/fleet.md).
//
// Git calls it with the common ancestor's, our and their version of an entry (%O %A %B) and the
// entry's path (%P). Profiles are append-only and uniquely named and the summaries are derived,
// so two branches that each exported into the same entry merge like this:
//
// - every field but the derived ones merges three-way: a field only one side changed takes that
//   side's value; objects merge key by key; a field both sides changed differently (a datasheet
//   figure, say) is a conflict;
// - the linked profiles of each power mode (calibration_profiles, workload_summary's profiles)
//   merge as sets: the union of both sides' links, less a link the common ancestor had and one
//   side dropped (a re-export replaces a mode's runs);
// - calibration_summary and workload_summary are derived again from the merged links with the
//   export's own code (summary.hpp, workload_summary.hpp), so the result is byte for byte what
//   one export of all the profiles would have written.
//
// A profile the working tree does not hold yet (git checks out the merge result only after the
// drivers ran) is read from git: the other side's commit (GITHEAD_<sha>, MERGE_HEAD,
// CHERRY_PICK_HEAD, REBASE_HEAD), HEAD, then any ref whose history holds the path; the content
// is the same wherever it is found, since a stored profile never changes.
//
// Clean: the merged entry is written to %A, exit 0. A conflict: %A gets both versions between
// conflict markers around the lines that differ (each version consistent in itself: the
// summaries derived for its figures), the fields are named on stderr, exit 1, and git leaves the
// file conflicted. A file that is not an entry (the schema folder) merges as text (git
// merge-file).
#pragma once

#include <filesystem>
#include <string>

#include "base/io.hpp"

namespace hwcal {

struct MergeEntryOptions {
  std::filesystem::path ancestor;  // %O (empty file when the ancestor has no such entry)
  std::filesystem::path ours;      // %A: read, and overwritten with the result
  std::filesystem::path theirs;    // %B
  std::string path;                // %P: where the entry lives, relative to the working tree
  std::filesystem::path database;  // the database root when %P is not given
  bool quiet = false;
};

// 0 when the entry merged cleanly, 1 when %A is left with conflict markers.
int run_merge_entry(const MergeEntryOptions& options, Io& io);

}  // namespace hwcal
