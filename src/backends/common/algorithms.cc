// SPDX-License-Identifier: Apache-2.0
// Fetches the backend's algorithms once, by their OpenSSL 3 provider names.
#include "backends/common/algorithms.h"

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace craton::hsm::common {
namespace {

// Indexed by HashAlg.
constexpr std::array<const char*, 4> kDigestNames{"SHA2-224", "SHA2-256", "SHA2-384", "SHA2-512"};
// Indexed by AesMode; the provider names are "AES-<bits>-<suffix>".
constexpr std::array<std::string_view, 5> kModeSuffixes{"GCM", "CBC", "CTR", "WRAP", "WRAP-PAD"};
constexpr std::array<std::size_t, 3> kAesKeyBytes{16, 24, 32};

}  // namespace

Algorithms::Algorithms() {
  for (std::size_t i = 0; i < kHashes; ++i) {
    digests_[i].reset(EVP_MD_fetch(nullptr, kDigestNames[i], nullptr));
  }
  for (std::size_t mode = 0; mode < kModes; ++mode) {
    for (std::size_t size = 0; size < kKeySizes; ++size) {
      const std::string name =
          fmt::format("AES-{}-{}", kAesKeyBytes[size] * 8, kModeSuffixes[mode]);
      ciphers_[mode][size].reset(EVP_CIPHER_fetch(nullptr, name.c_str(), nullptr));
    }
  }
  hmac_.reset(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
}

Result<const EVP_MD*> Algorithms::digest(HashAlg hash) const {
  const auto index = static_cast<std::size_t>(hash);
  if (index >= kHashes || digests_[index] == nullptr) {
    return fail(ErrorCode::MechanismUnsupported,
                fmt::format("{} is not available from OpenSSL's providers", hash_name(hash)));
  }
  return digests_[index].get();
}

Result<const EVP_CIPHER*> Algorithms::aes(AesMode mode, std::size_t key_bytes) const {
  std::size_t size = 0;
  while (size < kKeySizes && kAesKeyBytes[size] != key_bytes) ++size;
  if (size == kKeySizes) {
    return fail(ErrorCode::KeySizeRange, fmt::format("AES key of {} bytes", key_bytes));
  }
  const auto index = static_cast<std::size_t>(mode);
  if (index >= kModes || ciphers_[index][size] == nullptr) {
    return fail(ErrorCode::MechanismUnsupported,
                fmt::format("AES-{}-{} is not available from OpenSSL's providers", key_bytes * 8,
                            index < kModes ? kModeSuffixes[index] : "?"));
  }
  return ciphers_[index][size].get();
}

Result<EVP_MAC*> Algorithms::hmac() const {
  if (hmac_ == nullptr) {
    return fail(ErrorCode::MechanismUnsupported, "HMAC is not available from OpenSSL's providers");
  }
  return hmac_.get();
}

}  // namespace craton::hsm::common
