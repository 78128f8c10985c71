// SPDX-License-Identifier: Apache-2.0
// The case table.
#include "bench/cases.h"

#include <algorithm>

#include <fmt/format.h>

namespace craton::hsm::bench {

std::string_view variant_name(KeyVariant variant) noexcept {
  switch (variant) {
    case KeyVariant::CacheHit:
      break;
    case KeyVariant::CacheMiss:
      return "miss";
    case KeyVariant::Resident:
      return "resident";
  }
  return "hit";
}

std::string BenchCase::label() const {
  return is_hit() ? name : fmt::format("{} [{}]", name, variant_name(variant));
}

std::string size_label(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0) {
    return fmt::format("{}m", bytes >> 20);
  }
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{}k", bytes >> 10);
  return fmt::format("{}", bytes);
}

std::vector<BenchCase> all_cases(std::span<const std::size_t> gcm_sizes, bool with_misses,
                                 bool with_resident) {
  constexpr std::size_t kSignedMessage = 32;
  std::vector<BenchCase> cases{
      {"ecdsa-p256-sign", RawOp::EcdsaP256Sign, kSignedMessage},
      {"ecdsa-p256-verify", RawOp::EcdsaP256Verify, kSignedMessage},
      {"rsa2048-pkcs1-sign", RawOp::RsaPkcs1v15Sha256Sign, kSignedMessage},
      {"rsa2048-pss-sign", RawOp::RsaPssSha256Sign, kSignedMessage},
      {"ed25519-sign", RawOp::Ed25519Sign, kSignedMessage},
  };
  for (const std::size_t size : gcm_sizes) {
    cases.push_back({fmt::format("aes256-gcm-{}", size_label(size)), RawOp::AesGcmEncrypt, size});
  }
  cases.push_back({"hmac-sha256-1k", RawOp::HmacSha256, 1024});
  cases.push_back({"sha256-1k", RawOp::Sha256, 1024});
  cases.push_back({"random-32", RawOp::Random, 32});
  if (with_misses) {
    // Import cost for a symmetric and an asymmetric key.
    cases.push_back({"aes256-gcm-1k", RawOp::AesGcmEncrypt, 1024, KeyVariant::CacheMiss});
    cases.push_back(
        {"ecdsa-p256-sign", RawOp::EcdsaP256Sign, kSignedMessage, KeyVariant::CacheMiss});
  }
  if (with_resident) {
    // The reference figures for token-object keys (docs/performance.md).
    cases.push_back(
        {"ecdsa-p256-sign", RawOp::EcdsaP256Sign, kSignedMessage, KeyVariant::Resident});
    cases.push_back(
        {"rsa2048-pkcs1-sign", RawOp::RsaPkcs1v15Sha256Sign, kSignedMessage, KeyVariant::Resident});
    cases.push_back({"aes256-gcm-1k", RawOp::AesGcmEncrypt, 1024, KeyVariant::Resident});
  }
  return cases;
}

std::vector<BenchCase> select_cases(std::vector<BenchCase> cases,
                                    std::span<const std::string> filters) {
  if (filters.empty()) return cases;
  std::erase_if(cases, [&](const BenchCase& c) {
    return std::none_of(filters.begin(), filters.end(),
                        [&](const std::string& f) { return c.name.starts_with(f); });
  });
  return cases;
}

}  // namespace craton::hsm::bench
