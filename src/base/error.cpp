#include "hwcal/base/error.hpp"

#include <utility>

namespace hwcal {
namespace {

std::string compose(const std::string& file, const std::string& pointer,
                    const std::string& message) {
  std::string text = file;
  if (!pointer.empty()) text += (text.empty() ? "" : ": ") + pointer;
  if (!text.empty()) text += ": ";
  return text + message;
}

}  // namespace

DataError::DataError(std::string file, std::string pointer, const std::string& message)
    : Error(compose(file, pointer, message)),
      file_(std::move(file)),
      pointer_(std::move(pointer)),
      detail_(message) {}

}  // namespace hwcal
