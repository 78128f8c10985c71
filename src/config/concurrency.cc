// SPDX-License-Identifier: Apache-2.0
// The concurrency setting's names and spellings (include/craton/hsm/concurrency.h).
#include <craton/hsm/concurrency.h>

#include <charconv>
#include <iterator>

#include <fmt/format.h>

#include "config/rules.h"

namespace craton::hsm {

std::string_view operation_class_name(OperationClass value) noexcept {
  switch (value) {
    case OperationClass::Symmetric:
      return "symmetric";
    case OperationClass::Ec:
      return "ec";
    case OperationClass::Rsa:
      return "rsa";
    case OperationClass::Other:
      break;
  }
  return "other";
}

std::string ConcurrencyLimit::to_string() const {
  switch (mode) {
    case Mode::Unlimited:
      return "unlimited";
    case Mode::Adaptive:
      return "adaptive";
    case Mode::Fixed:
      break;
  }
  return std::to_string(fixed);
}

Result<ConcurrencyLimit> ConcurrencyLimit::parse(std::string_view text, std::string_view field) {
  if (text == "unlimited") return unlimited();
  if (text == "adaptive") return adaptive();
  std::int64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() ||
      number < config::kConcurrencyRange.min || number > config::kConcurrencyRange.max) {
    return fail(
        ErrorCode::ConfigInvalid,
        fmt::format("{}: must be \"adaptive\", \"unlimited\" or a number of operations "
                    "{}..{}, got {:?}",
                    field, config::kConcurrencyRange.min, config::kConcurrencyRange.max, text));
  }
  return at_most(static_cast<std::uint32_t>(number));
}

std::string ConcurrencyConfig::to_string() const {
  if (*this == all(limits.front())) return limits.front().to_string();
  std::string out;
  for (std::size_t i = 0; i < kOperationClassCount; ++i) {
    fmt::format_to(std::back_inserter(out), "{}{}={}", i == 0 ? "" : ", ",
                   operation_class_name(static_cast<OperationClass>(i)), limits[i].to_string());
  }
  return out;
}

}  // namespace craton::hsm
