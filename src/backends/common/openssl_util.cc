// SPDX-License-Identifier: Apache-2.0
// OpenSSL error reporting, the empty-input pointer, key sizes and PKCS#8 export.
#include "backends/common/openssl_util.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "keys/key_build.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::common {

std::unexpected<HsmError> openssl_failure(std::string_view operation) {
  // keys::openssl_reason() also clears the queue.
  return fail(ErrorCode::Internal,
              fmt::format("OpenSSL {} failed: {}", operation, keys::openssl_reason()));
}

void discard_openssl_errors() noexcept {
  ERR_clear_error();
}

const unsigned char* data_or_empty(ByteView bytes) noexcept {
  static constexpr unsigned char kEmpty = 0;
  return bytes.empty() ? &kEmpty : bytes.data();
}

Result<std::size_t> pkey_output_size(const EVP_PKEY* pkey) {
  const int size = EVP_PKEY_get_size(pkey);
  if (size <= 0) return openssl_failure("EVP_PKEY_get_size");
  return static_cast<std::size_t>(size);
}

Result<SecretBytes> pkcs8_der(const EVP_PKEY* pkey) {
  // The two-call i2d convention: measure, then encode into storage that wipes itself.
  const ossl::Pkcs8InfoPtr info(EVP_PKEY2PKCS8(pkey));
  if (info == nullptr) return openssl_failure("EVP_PKEY2PKCS8");
  const int size = i2d_PKCS8_PRIV_KEY_INFO(info.get(), nullptr);
  if (size <= 0) return openssl_failure("i2d_PKCS8_PRIV_KEY_INFO");
  SecretBytes der = SecretBytes::zeroed(static_cast<std::size_t>(size));
  unsigned char* cursor = der.expose_mut().data();
  const bool encoded = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &cursor) == size;
  keys::wipe_stack_below();  // the encoders' frames
  if (!encoded) return openssl_failure("i2d_PKCS8_PRIV_KEY_INFO");
  return der;
}

}  // namespace craton::hsm::common
