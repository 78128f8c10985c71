// SPDX-License-Identifier: Apache-2.0
// Wiping and constant-time comparison, both delegated to OpenSSL's audited primitives.
#include <craton/hsm/secret.h>

#include <openssl/crypto.h>

namespace craton::hsm {

void secure_wipe(void* data, std::size_t size) noexcept {
  if (data != nullptr && size != 0) OPENSSL_cleanse(data, size);
}

bool constant_time_equal(std::span<const std::uint8_t> a,
                         std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SecretString SecretString::take(std::string&& text) {
  SecretString secret(text);
  // Wipe the whole capacity: an earlier, longer value may still sit past size().
  secure_wipe(text.data(), text.capacity());
  text.clear();
  return secret;
}

}  // namespace craton::hsm
