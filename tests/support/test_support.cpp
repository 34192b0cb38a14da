#include "test_support.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "hwcal/base/error.hpp"

extern char** environ;

namespace hwcal::test {

fs::path source_dir() { return fs::path(HWCAL_SOURCE_DIR); }
fs::path fixtures_dir() { return fs::path(HWCAL_FIXTURES_DIR); }
fs::path bundled_database() { return source_dir() / "hardware_database"; }

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "hwcal-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  // Tests may leave read-only folders behind (unwritable-output tests): make them writable.
  for (auto it = fs::recursive_directory_iterator(path_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
  }
  fs::remove_all(path_, ec);
}

void copy_tree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

fs::path copy_bundled_database(const fs::path& parent) {
  copy_tree(bundled_database(), parent / "hardware_database");
  if (fs::exists(source_dir() / "profiles"))
    copy_tree(source_dir() / "profiles", parent / "profiles");
  return parent / "hardware_database";
}

std::string read_file(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

void write_file(const fs::path& path, const std::string& text) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream stream(path, std::ios::binary);
  stream << text;
  if (!stream) throw std::runtime_error("cannot write " + path.string());
}

std::map<std::string, std::string> snapshot_tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().filename() != ".hwcal.lock") {
      files[entry.path().lexically_relative(root).generic_string()] = read_file(entry.path());
    }
  }
  return files;
}

ProgramResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env) {
  TempDir capture;
  const std::string out_path = (capture.path() / "out").string();
  const std::string err_path = (capture.path() / "err").string();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);

  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_strings;
  for (char** item = environ; *item != nullptr; ++item) {
    std::string entry(*item);
    std::string key = entry.substr(0, entry.find('='));
    if (env.count(key) == 0) env_strings.push_back(entry);
  }
  for (const auto& [key, value] : env) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (std::string& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot start " + program);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  ProgramResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

double relative_error(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double difference = 0;
  double norm = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) return INFINITY;
    const double got = a[i];
    const double expected = b[i];
    difference += (got - expected) * (got - expected);
    norm += expected * expected;
  }
  return std::sqrt(difference / std::max(norm, 1e-30));
}

std::size_t count_occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

std::string compare_golden(const std::string& name, const std::string& actual) {
  fs::path path = fs::path(HWCAL_GOLDEN_DIR) / name;
  const char* update = std::getenv("HWCAL_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    write_file(path, actual);
    return "";
  }
  if (!fs::exists(path)) {
    return "golden file " + path.string() + " is missing (run with HWCAL_UPDATE_GOLDEN=1)";
  }
  std::string expected = read_file(path);
  if (expected == actual) return "";
  std::istringstream expected_lines(expected);
  std::istringstream actual_lines(actual);
  std::string a;
  std::string b;
  for (int line = 1;; ++line) {
    bool more_expected = static_cast<bool>(std::getline(expected_lines, a));
    bool more_actual = static_cast<bool>(std::getline(actual_lines, b));
    if (!more_expected && !more_actual) break;
    if (a != b || more_expected != more_actual) {
      return "differs from " + path.string() + " at line " + std::to_string(line) +
             "\n  expected: " + (more_expected ? a : "<end>") +
             "\n  actual:   " + (more_actual ? b : "<end>") +
             "\n(HWCAL_UPDATE_GOLDEN=1 rewrites golden files after a deliberate change)";
    }
  }
  return "differs from " + path.string() + " (line endings?)";
}

int run_with_file_limit(const std::string& program, std::vector<std::string> args,
                        std::size_t limit_bytes) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot fork");
  if (pid == 0) {
    rlimit limit{limit_bytes, limit_bytes};
    setrlimit(RLIMIT_FSIZE, &limit);
    std::signal(SIGXFSZ, SIG_DFL);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    args.insert(args.begin(), program);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool fails_with_file_size_limit(std::size_t limit_bytes, const std::function<void()>& write) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot fork");
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{limit_bytes, limit_bytes};
    setrlimit(RLIMIT_FSIZE, &limit);
    try {
      write();
    } catch (const IoError&) {
      _exit(0);  // the expected failure
    } catch (...) {
      _exit(2);
    }
    _exit(1);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace hwcal::test
