// SPDX-License-Identifier: Apache-2.0
// KeyUsages: each algorithm's natural usages, and the comma-separated text form.
#include <craton/hsm/resident_keys.h>

#include <algorithm>
#include <array>
#include <string>

#include <fmt/format.h>

namespace craton::hsm {
namespace {

struct UsageName {
  std::string_view name;
  bool KeyUsages::*flag;
};

// Declaration order, which is also the order to_string() writes.
constexpr std::array<UsageName, 7> kUsageNames{{
    {"sign", &KeyUsages::sign},
    {"verify", &KeyUsages::verify},
    {"encrypt", &KeyUsages::encrypt},
    {"decrypt", &KeyUsages::decrypt},
    {"wrap", &KeyUsages::wrap},
    {"unwrap", &KeyUsages::unwrap},
    {"derive", &KeyUsages::derive},
}};

std::string_view trim_blanks(std::string_view word) {
  while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
  while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
  return word;
}

}  // namespace

KeyUsages KeyUsages::defaults_for(KeyAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case KeyAlgorithm::Aes128:
    case KeyAlgorithm::Aes192:
    case KeyAlgorithm::Aes256:
      return {.encrypt = true, .decrypt = true};
    case KeyAlgorithm::Rsa2048:
    case KeyAlgorithm::Rsa3072:
    case KeyAlgorithm::Rsa4096:
    case KeyAlgorithm::EcP256:
    case KeyAlgorithm::EcP384:
    case KeyAlgorithm::Ed25519:
    case KeyAlgorithm::Hmac256:
    case KeyAlgorithm::Hmac512:
      return {.sign = true, .verify = true};
  }
  return {};  // unreachable for valid enumerators; nothing is the safe default
}

Result<KeyUsages> KeyUsages::parse(std::string_view comma_separated) {
  KeyUsages usages;
  // "" is the text form of "no usages" (to_string), so it parses back to that.
  if (trim_blanks(comma_separated).empty()) return usages;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = comma_separated.find(',', start);
    const std::string_view word = trim_blanks(comma_separated.substr(start, end - start));
    const auto* found = std::ranges::find(kUsageNames, word, &UsageName::name);
    if (word.empty()) {
      return fail(ErrorCode::InvalidArgument, "key usages: empty usage between commas");
    }
    if (found == kUsageNames.end()) {
      return fail(ErrorCode::InvalidArgument,
                  fmt::format("key usages: unknown usage {:?} (expected sign, verify, encrypt, "
                              "decrypt, wrap, unwrap, derive)",
                              word));
    }
    if (usages.*found->flag) {
      return fail(ErrorCode::InvalidArgument,
                  fmt::format("key usages: {} given twice", found->name));
    }
    usages.*found->flag = true;
    if (end == std::string_view::npos) return usages;
    start = end + 1;
  }
}

std::string KeyUsages::to_string() const {
  std::string out;
  for (const auto& [name, flag] : kUsageNames) {
    if (!(this->*flag)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

}  // namespace craton::hsm
