// Diagnostics: what validation finds. Validation never throws for bad data; it returns these,
// each naming a file and a JSON pointer, so that one run reports every problem at once.
#pragma once

#include <string>
#include <vector>

namespace hwcal {

enum class Severity { warning, error };

struct Diagnostic {
  Severity severity = Severity::error;
  std::string file;     // as shown to people: relative to the database root's parent if possible
  std::string pointer;  // JSON pointer inside the file, "" for the whole file
  std::string message;
};

// "error: gpu/nvidia/x.json: /theoretical_peaks/fp33: unknown precision 'fp33' ..."
std::string format_diagnostic(const Diagnostic& diagnostic);

class Diagnostics {
 public:
  void error(std::string file, std::string pointer, std::string message);
  void warning(std::string file, std::string pointer, std::string message);
  void add(Diagnostic diagnostic);
  void append(const Diagnostics& other);

  const std::vector<Diagnostic>& items() const { return items_; }
  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool has_errors() const { return error_count() > 0; }
  bool empty() const { return items_.empty(); }

  // Errors first, then by file and pointer: stable output for people and golden tests.
  void sort();

  // For readers that throw: DataError with the first error, if there is one.
  void throw_first_error() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace hwcal
