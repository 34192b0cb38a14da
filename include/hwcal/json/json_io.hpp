// JSON input and output: parsing with error positions and duplicate-key detection, stable
// formatting (2 spaces, trailing newline), atomic saves, and layout preservation so that a
// rewrite keeps key order, unknown fields and number spelling (1880 stays 1880, 640.0 stays 640.0).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace hwcal {

// Key order matters to people reading diffs, so every document keeps it.
using Json = nlohmann::ordered_json;

// How deep documents may nest. hwcal's own files nest about a dozen levels; every walk of a
// document (copies, layout preservation, dumps) is recursive, so this bound is what keeps a
// hostile file from overflowing the stack.
inline constexpr std::size_t kMaxJsonDepth = 256;

// The largest file hwcal reads: far above any real entry or profile (a large profile is a
// few MB), far below what would exhaust memory.
inline constexpr std::uint64_t kMaxFileBytes = std::uint64_t{256} << 20;

// Parses text. A syntax error throws DataError naming `file`, the line and the column; a key
// that appears twice in one object, or nesting deeper than kMaxJsonDepth, throws DataError
// naming its JSON pointer.
Json parse_json(std::string_view text, const std::string& file);

// Reads and parses a file; IoError when it cannot be read. `display_name` (default: the path)
// is what messages call the file.
Json load_json_file(const std::filesystem::path& path, const std::string& display_name = "");

// Reads a regular file of at most kMaxFileBytes. IoError for a folder, a device, a FIFO (never
// waited on) or a socket, a larger file, or a read error, naming the path.
std::string read_text_file(const std::filesystem::path& path);

// 2-space indentation, UTF-8 kept as is, trailing newline.
std::string dump_json(const Json& document);

// Writes a temp file in the same folder, fsyncs it, renames it over `path` and fsyncs the
// folder: readers see the old file or the new one, never half of either. On failure (no space,
// no permission) the temp file is removed, `path` is untouched and IoError names the file.
// Several files changed as one go through a Transaction (hwcal/database/transaction.hpp).
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// The two halves of write_file_atomic. stage_file writes `content` to a new temp file beside
// `path` (".<name>.tmp.<pid>.<random>", created exclusively) and flushes it to disk;
// commit_staged renames it over `path` and flushes the folder; discard_staged removes it.
struct StagedFile {
  std::filesystem::path temp;
  std::filesystem::path target;
};
StagedFile stage_file(const std::filesystem::path& path, std::string_view content);
void commit_staged(const StagedFile& staged);
void discard_staged(const StagedFile& staged);

// Whether a file name is one of stage_file's temp names (".<name>.tmp.<...>"), which only an
// interrupted writer leaves behind.
bool is_temp_file_name(std::string_view name);

// Flushes a folder's names (a rename, a new or removed file in it) to disk; IoError naming
// `for_file`. File systems that cannot sync a folder at all (EINVAL) are let be.
void sync_folder(const std::filesystem::path& folder, const std::string& for_file);

// Creates a folder and its missing parents, flushing each new name to disk in its parent (a
// crash must not lose a folder that files were renamed into). IoError naming the folder:
// "<folder>: cannot create <what>: <reason>".
void make_folders(const std::filesystem::path& folder, std::string_view what = "folder");

void save_json_atomic(const std::filesystem::path& path, const Json& document);

// Returns `updated` laid out like `original`: keys present in both keep the original order
// (new keys follow in their own order), and numbers equal in value keep the original spelling.
Json preserve_layout(const Json& updated, const Json& original);

// "/a/b" + "c/d" -> "/a/b/c~1d" (RFC 6901 escaping).
std::string pointer_append(const std::string& pointer, std::string_view key);
std::string pointer_append(const std::string& pointer, std::size_t index);

// "string", "number", "object", ... for messages of the form "expected a number, got a string".
std::string json_type_name(const Json& value);

}  // namespace hwcal
