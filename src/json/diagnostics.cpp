#include "hwcal/json/diagnostics.hpp"

#include "hwcal/base/error.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace hwcal {

std::string format_diagnostic(const Diagnostic& diagnostic) {
  std::string text = diagnostic.severity == Severity::error ? "error: " : "warning: ";
  if (!diagnostic.file.empty()) text += diagnostic.file + ": ";
  if (!diagnostic.pointer.empty()) text += diagnostic.pointer + ": ";
  return text + diagnostic.message;
}

void Diagnostics::error(std::string file, std::string pointer, std::string message) {
  items_.push_back({Severity::error, std::move(file), std::move(pointer), std::move(message)});
}

void Diagnostics::warning(std::string file, std::string pointer, std::string message) {
  items_.push_back({Severity::warning, std::move(file), std::move(pointer), std::move(message)});
}

void Diagnostics::add(Diagnostic diagnostic) { items_.push_back(std::move(diagnostic)); }

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(std::count_if(
      items_.begin(), items_.end(), [](const auto& d) { return d.severity == Severity::error; }));
}

std::size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }

void Diagnostics::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    // error sorts before warning
    return std::make_tuple(a.severity != Severity::error, a.file, a.pointer) <
           std::make_tuple(b.severity != Severity::error, b.file, b.pointer);
  });
}

void Diagnostics::throw_first_error() const {
  for (const Diagnostic& diagnostic : items_) {
    if (diagnostic.severity == Severity::error) {
      throw DataError(diagnostic.file, diagnostic.pointer, diagnostic.message);
    }
  }
}

}  // namespace hwcal
