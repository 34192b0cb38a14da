#include "hwcal/json/json_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "hwcal/base/error.hpp"

namespace hwcal {
namespace {

// Builds the document from SAX events, as nlohmann's own DOM parser does, and notices a key
// that appears twice in one object (the DOM parser silently keeps one). A hand-written builder
// rather than a parser callback: the callback costs about 20% of the parse.
class DomBuilder : public nlohmann::json_sax<Json> {
 public:
  Json root;
  std::string duplicate_pointer;  // first duplicate key found, "" if none
  std::string too_deep_pointer;   // the container that went past kMaxJsonDepth, "" if none
  std::string error_message;
  std::size_t error_line = 0;
  std::size_t error_column = 0;

  bool null() override { return add(Json(nullptr)); }
  bool boolean(bool value) override { return add(Json(value)); }
  bool number_integer(number_integer_t value) override { return add(Json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return add(Json(value)); }
  bool number_float(number_float_t value, const string_t& /*text*/) override {
    return add(Json(value));
  }
  bool string(string_t& value) override { return add(Json(std::move(value))); }
  bool binary(binary_t& value) override { return add(Json::binary(std::move(value))); }
  bool start_object(std::size_t /*elements*/) override { return open(Json::object()); }
  bool key(string_t& value) override {
    pending_key_ = std::move(value);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t /*elements*/) override { return open(Json::array()); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& error) override {
    error_message = error.what();
    return false;
  }

 private:
  // A container being filled, and the name it has in its parent (a key, or an index). An
  // object's members gather in `members` and move into the object when it closes: the object
  // (an ordered_map, a vector of pairs with const keys) would copy every key each time it grew.
  // Keys point into the parent's `members`, which gains nothing while a child is open.
  struct Level {
    Json* container = nullptr;
    const std::string* key = nullptr;
    std::size_t index = 0;
    std::vector<std::pair<std::string, Json>> members;
  };

  // The pointer of the innermost open container.
  std::string pointer_to_open() const {
    std::string pointer;
    for (std::size_t i = 1; i < depth_; ++i) {
      pointer = levels_[i].key ? pointer_append(pointer, *levels_[i].key)
                               : pointer_append(pointer, levels_[i].index);
    }
    return pointer;
  }

  std::string pointer_to(const std::string& last_key) const {
    return pointer_append(pointer_to_open(), last_key);
  }

  // Places `value` where the parser is and returns where it went.
  std::pair<Json*, const std::string*> place(Json value) {
    if (depth_ == 0) {
      root = std::move(value);
      return {&root, nullptr};
    }
    Level& level = levels_[depth_ - 1];
    if (level.container->is_array()) {
      level.container->push_back(std::move(value));
      return {&level.container->back(), nullptr};
    }
    for (auto& member : level.members) {
      if (member.first == pending_key_) {
        if (duplicate_pointer.empty()) duplicate_pointer = pointer_to(pending_key_);
        member.second = std::move(value);
        return {&member.second, &member.first};
      }
    }
    auto& added = level.members.emplace_back(std::move(pending_key_), std::move(value));
    return {&added.second, &added.first};
  }

  bool add(Json value) {
    place(std::move(value));
    return true;
  }

  bool open(Json container) {
    std::size_t index = 0;
    if (depth_ > 0 && levels_[depth_ - 1].container->is_array()) {
      index = levels_[depth_ - 1].container->size();
    }
    // Everything downstream (copies, layout preservation, dumps) walks documents recursively:
    // a bound here bounds them all. Stopping the parse also bounds the memory a hostile file
    // can make the parser use.
    if (depth_ >= kMaxJsonDepth) {
      too_deep_pointer = levels_[depth_ - 1].container->is_array()
                             ? pointer_append(pointer_to_open(), index)
                             : pointer_append(pointer_to_open(), pending_key_);
      return false;
    }
    auto [placed, key] = place(std::move(container));
    // Levels are reused from one container to the next, keeping their buffers.
    if (depth_ == levels_.size()) levels_.emplace_back();
    Level& level = levels_[depth_++];
    level.container = placed;
    level.key = key;
    level.index = index;
    level.members.clear();
    return true;
  }

  bool close() {
    Level& level = levels_[--depth_];
    if (level.container->is_object()) {
      using Members = std::vector<std::pair<const std::string, Json>>;
      auto& members = static_cast<Members&>(level.container->get_ref<Json::object_t&>());
      members.reserve(level.members.size());
      for (auto& member : level.members) {
        members.emplace_back(std::move(member.first), std::move(member.second));
      }
      level.members.clear();
    }
    return true;
  }

  std::vector<Level> levels_;  // the first depth_ are open
  std::size_t depth_ = 0;
  std::string pending_key_;
};

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1,
// column 2: "; keep only what follows, since the position is reported separately.
std::string parse_error_reason(const std::string& what) {
  const std::string marker = ": ";
  auto pos = what.find("parse error");
  if (pos != std::string::npos) {
    auto colon = what.find(marker, pos);
    if (colon != std::string::npos) return what.substr(colon + marker.size());
  }
  return what;
}

void write_all(int fd, std::string_view content, const std::string& temp_name) {
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw IoError(fmt::format("{}: cannot write: {}", temp_name, std::strerror(errno)));
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

}  // namespace

std::string pointer_append(const std::string& pointer, std::string_view key) {
  std::string escaped;
  escaped.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return pointer + "/" + escaped;
}

std::string pointer_append(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string json_type_name(const Json& value) {
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  if (value.is_null()) return "null";
  return value.type_name();
}

Json parse_json(std::string_view text, const std::string& file) {
  DomBuilder builder;
  bool parsed = Json::sax_parse(text.begin(), text.end(), &builder);
  if (!builder.too_deep_pointer.empty()) {
    // A pointer 256 levels deep is unreadable: name its start, and how deep it went.
    std::string pointer = builder.too_deep_pointer;
    if (pointer.size() > 120) pointer = pointer.substr(0, 120) + "...";
    throw DataError(file, pointer,
                    fmt::format("nested more than {} levels deep: hwcal reads no deeper (its "
                                "files nest a dozen levels at most)",
                                kMaxJsonDepth));
  }
  if (!parsed) {
    // nlohmann's message holds the position as "at line L, column C"; keep its reason only and
    // compute the position from the text so the wording is ours.
    const std::string& what = builder.error_message;
    auto at = what.find("at line ");
    std::size_t line = 0;
    std::size_t column = 0;
    if (at != std::string::npos &&
        std::sscanf(what.c_str() + at, "at line %zu, column %zu", &line, &column) == 2) {
      throw DataError(file, "",
                      fmt::format("malformed JSON at line {}, column {}: {}", line, column,
                                  parse_error_reason(what)));
    }
    throw DataError(file, "", fmt::format("malformed JSON: {}", parse_error_reason(what)));
  }
  if (!builder.duplicate_pointer.empty()) {
    throw DataError(file, builder.duplicate_pointer,
                    "duplicate key: each key may appear once per object");
  }
  return std::move(builder.root);
}

std::string read_text_file(const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) throw IoError(fmt::format("{}: no such file", path.string()));
    throw IoError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    int saved = errno;
    ::close(fd);
    throw IoError(fmt::format("{}: cannot read: {}", path.string(), std::strerror(saved)));
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    throw IoError(fmt::format("{}: is a folder, expected a file", path.string()));
  }
  // A device (/dev/zero), a pipe or a socket has no end a reader can count on.
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    throw IoError(
        fmt::format("{}: not a regular file (a device, pipe or socket): hwcal reads "
                    "only files",
                    path.string()));
  }
  auto too_large = [&] {
    ::close(fd);
    return IoError(fmt::format("{}: larger than {} MB, far more than any hwcal file: not read",
                               path.string(), kMaxFileBytes >> 20));
  };
  if (static_cast<std::uint64_t>(info.st_size) > kMaxFileBytes) throw too_large();
  // POSIX reads into a string sized from fstat: an ifstream copied through a stringstream
  // took a third of loading a large database.
  // One byte more than the file: the read that finds its end needs no larger string.
  std::string text;
  text.resize(static_cast<std::size_t>(info.st_size) + 1);
  std::size_t filled = 0;
  while (true) {
    if (filled == text.size()) {  // the file grew, or is a /proc file that reports size 0
      if (text.size() >= kMaxFileBytes) throw too_large();
      text.resize(text.size() + 4096);
    }
    ssize_t got = ::read(fd, text.data() + filled, text.size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      throw IoError(fmt::format("{}: cannot read: {}", path.string(), std::strerror(saved)));
    }
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  ::close(fd);
  text.resize(filled);
  return text;
}

Json load_json_file(const std::filesystem::path& path, const std::string& display_name) {
  return parse_json(read_text_file(path), display_name.empty() ? path.string() : display_name);
}

std::string dump_json(const Json& document) {
  return document.dump(2, ' ', false, Json::error_handler_t::strict) + "\n";
}

namespace {

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

// ".<name>.tmp.<pid>.<6 random characters>", created exclusively: a name no other process or
// attempt uses, even when PIDs repeat (a container runs the tool as PID 1 every time). Mode
// 0666 as the kernel lets the umask narrow it, so a group-shared tree stays group-writable.
// Returns the descriptor and sets `name`.
int create_temp_file(const std::filesystem::path& path, std::string& name) {
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string suffix(6, ' ');
    for (char& c : suffix) c = kAlphabet[pick(random)];
    name = fmt::format("{}/.{}.tmp.{}.{}", folder_of(path).string(), path.filename().string(),
                       ::getpid(), suffix);
    int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

}  // namespace

void sync_folder(const std::filesystem::path& folder, const std::string& for_file) {
  int dir_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    throw IoError(
        fmt::format("{}: cannot open its folder to flush it: {}", for_file, std::strerror(errno)));
  }
  if (::fsync(dir_fd) != 0 && errno != EINVAL) {
    int saved = errno;
    ::close(dir_fd);
    throw IoError(
        fmt::format("{}: cannot flush its folder to disk: {}", for_file, std::strerror(saved)));
  }
  ::close(dir_fd);
}

bool is_temp_file_name(std::string_view name) {
  return name.size() > 1 && name.front() == '.' && name.find(".tmp.") != std::string_view::npos;
}

void make_folders(const std::filesystem::path& folder, std::string_view what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (folder.empty() || fs::is_directory(folder, ec)) return;
  const fs::path parent = folder.has_parent_path() && folder.parent_path() != folder
                              ? folder.parent_path()
                              : fs::path(".");
  make_folders(parent, what);
  if (::mkdir(folder.c_str(), 0777) != 0) {
    const int saved = errno;
    if (saved == EEXIST && fs::is_directory(folder, ec)) return;  // made meanwhile
    throw IoError(
        fmt::format("{}: cannot create {}: {}", folder.string(), what,
                    saved == EEXIST ? "a file of that name is in the way" : std::strerror(saved)));
  }
  // The new name must reach the disk too, or a crash loses the folder and all it holds.
  sync_folder(parent, folder.string());
}

StagedFile stage_file(const std::filesystem::path& path, std::string_view content) {
  std::string temp_name;
  int fd = create_temp_file(path, temp_name);
  if (fd < 0) {
    throw IoError(fmt::format("{}: cannot write (temp file in {}): {}", path.string(),
                              folder_of(path).string(), std::strerror(errno)));
  }
  try {
    // Keep the permissions of the file being replaced.
    struct stat existing {};
    if (::stat(path.c_str(), &existing) == 0 && ::fchmod(fd, existing.st_mode & 07777) != 0) {
      throw IoError(
          fmt::format("{}: cannot set permissions: {}", path.string(), std::strerror(errno)));
    }
    write_all(fd, content, path.string());
    if (::fsync(fd) != 0) {
      throw IoError(
          fmt::format("{}: cannot flush to disk: {}", path.string(), std::strerror(errno)));
    }
  } catch (...) {
    ::close(fd);
    ::unlink(temp_name.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    int saved = errno;
    ::unlink(temp_name.c_str());
    throw IoError(fmt::format("{}: cannot write: {}", path.string(), std::strerror(saved)));
  }
  return StagedFile{temp_name, path};
}

void commit_staged(const StagedFile& staged) {
  if (::rename(staged.temp.c_str(), staged.target.c_str()) != 0) {
    int saved = errno;
    ::unlink(staged.temp.c_str());
    throw IoError(
        fmt::format("{}: cannot replace: {}", staged.target.string(), std::strerror(saved)));
  }
  // Make the rename itself durable.
  sync_folder(folder_of(staged.target), staged.target.string());
}

void discard_staged(const StagedFile& staged) { ::unlink(staged.temp.c_str()); }

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  commit_staged(stage_file(path, content));
}

void save_json_atomic(const std::filesystem::path& path, const Json& document) {
  write_file_atomic(path, dump_json(document));
}

Json preserve_layout(const Json& updated, const Json& original) {
  if (updated.is_object() && original.is_object()) {
    Json result = Json::object();
    for (const auto& [key, value] : original.items()) {
      auto found = updated.find(key);
      if (found != updated.end()) result[key] = preserve_layout(*found, value);
    }
    for (const auto& [key, value] : updated.items()) {
      if (!result.contains(key)) result[key] = value;
    }
    return result;
  }
  if (updated.is_array() && original.is_array() && updated.size() == original.size()) {
    Json result = Json::array();
    for (std::size_t i = 0; i < updated.size(); ++i) {
      result.push_back(preserve_layout(updated[i], original[i]));
    }
    return result;
  }
  if (updated.is_number() && original.is_number() &&
      updated.get<double>() == original.get<double>()) {
    return original;
  }
  return updated;
}

}  // namespace hwcal
