// JSON input and output: parsing with error positions and duplicate-key detection, stable
// formatting (2 spaces, trailing newline), atomic saves, and layout preservation so that a
// rewrite keeps key order, unknown fields and number spelling (1880 stays 1880, 640.0 stays 640.0).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace hwcal {

// Key order matters to people reading diffs, so every document keeps it.
using Json = nlohmann::ordered_json;

// Parses text. A syntax error throws DataError naming `file`, the line and the column; a key
// that appears twice in one object throws DataError naming its JSON pointer.
Json parse_json(std::string_view text, const std::string& file);

// Reads and parses a file; IoError when it cannot be read. `display_name` (default: the path)
// is what messages call the file.
Json load_json_file(const std::filesystem::path& path, const std::string& display_name = "");

std::string read_text_file(const std::filesystem::path& path);

// 2-space indentation, UTF-8 kept as is, trailing newline.
std::string dump_json(const Json& document);

// Writes a temp file in the same folder, fsyncs it, renames it over `path` and fsyncs the
// folder: readers see the old file or the new one, never half of either. On failure (no space,
// no permission) the temp file is removed, `path` is untouched and IoError names the file.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Several files as one change: every file is written to its temp file and flushed before the
// first rename, so a failure to write any of them (no space, no permission) leaves all the
// targets untouched.
void write_files_atomic(const std::vector<std::pair<std::filesystem::path, std::string>>& files);

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
