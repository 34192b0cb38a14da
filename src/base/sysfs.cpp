#include "base/sysfs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/text.hpp"

namespace fs = std::filesystem;

namespace hwcal {

bool SysRoot::is_this_machine() const {
  std::error_code ec;
  return fs::equivalent(root_, "/", ec);
}

fs::path SysRoot::at(const std::string& machine_path) const {
  return root_ / fs::path(machine_path).relative_path();
}

std::optional<std::string> SysRoot::read(const std::string& machine_path, std::string& why) const {
  int fd = ::open(at(machine_path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    why = problem(errno);
    return std::nullopt;
  }
  std::string content;
  char buffer[8192];
  for (;;) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got > 0) {
      content.append(buffer, static_cast<std::size_t>(got));
    } else if (got == 0) {
      break;
    } else if (errno != EINTR) {
      why = problem(errno);
      ::close(fd);
      return std::nullopt;
    }
  }
  ::close(fd);
  return content;
}

Reading<std::string> SysRoot::text(const std::string& machine_path) const {
  std::string why;
  auto content = read(machine_path, why);
  if (!content) return Reading<std::string>::unknown(machine_path, why);
  std::string value = trim(*content);
  if (value.empty()) return Reading<std::string>::unknown(machine_path, "empty");
  return Reading<std::string>::found(value, machine_path);
}

Reading<double> SysRoot::number(const std::string& machine_path, double scale) const {
  Reading<std::string> raw = text(machine_path);
  if (!raw.known()) return Reading<double>::unknown(raw.source, raw.problem);
  auto value = parse_number(*raw);
  if (!value) return Reading<double>::unknown(machine_path, "not a number: '" + *raw + "'");
  return Reading<double>::found(*value * scale, machine_path);
}

bool SysRoot::exists(const std::string& machine_path) const {
  std::error_code ec;
  return fs::exists(at(machine_path), ec);
}

std::vector<std::string> SysRoot::list(const std::string& machine_path) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(at(machine_path), ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string SysRoot::problem(int error) {
  switch (error) {
    case ENOENT: return "missing";
    case ENOTDIR: return "missing";
    case EACCES:
    case EPERM: return "permission denied (needs root)";
    default: return std::strerror(error);
  }
}

}  // namespace hwcal
