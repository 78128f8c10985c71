// SPDX-License-Identifier: Apache-2.0
// Splitting a fuzz input into trail files and an anchor; the harnesses' chain keys.
#include "support/audit_input.h"

#include <array>
#include <cstdio>
#include <cstdlib>

#include "audit/hmac_sha256.h"

namespace craton::hsm::fuzz {
namespace {

constexpr std::string_view kFileMarker = "#file\n";
constexpr std::string_view kAnchorMarker = "#anchor\n";
// Enough for rotation links; more files only slow every run down.
constexpr std::size_t kMaxFiles = 8;

}  // namespace

TrailInput split_trail_input(std::string_view data) {
  TrailInput input;
  std::size_t start = 0;
  std::size_t at = 0;  // always the start of a line
  while (true) {
    const std::string_view rest = data.substr(at);
    if (rest.starts_with(kAnchorMarker)) {
      input.files.push_back(data.substr(start, at - start));
      input.anchor = rest.substr(kAnchorMarker.size());
      return input;
    }
    if (rest.starts_with(kFileMarker) && input.files.size() + 1 < kMaxFiles) {
      input.files.push_back(data.substr(start, at - start));
      start = at + kFileMarker.size();
    }
    const std::size_t end_of_line = data.find('\n', at);
    if (end_of_line == std::string_view::npos) break;
    at = end_of_line + 1;
  }
  input.files.push_back(data.substr(start));
  return input;
}

std::unique_ptr<AuditMac> fixed_key_mac() {
  std::array<std::uint8_t, 32> key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
  auto mac = audit::HmacSha256::create(SecretBytes(key));
  if (!mac) {
    std::fprintf(stderr, "fuzz harness: no HMAC-SHA-256: %s\n", mac.error().message().c_str());
    std::abort();
  }
  return std::move(*mac);
}

Result<std::array<std::uint8_t, 32>> ConstantMac::mac(std::span<const std::uint8_t> /*data*/) {
  return std::array<std::uint8_t, 32>{};
}

}  // namespace craton::hsm::fuzz
