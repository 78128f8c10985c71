// SPDX-License-Identifier: Apache-2.0
// OpenSSL error reporting, checked lengths and chunked cipher updates for the software backend.
#include "backends/software/openssl_util.h"

#include <algorithm>
#include <climits>

#include <fmt/format.h>
#include <openssl/err.h>

#include "keys/key_build.h"

namespace craton::hsm::software {

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

Result<int> checked_int(std::size_t size, std::string_view what) {
  if (size > static_cast<std::size_t>(INT_MAX)) {
    return fail(ErrorCode::DataLenRange,
                fmt::format("{} of {} bytes is too long for OpenSSL", what, size));
  }
  return static_cast<int>(size);
}

Result<ossl::CipherCtxPtr> start_cipher(const EVP_CIPHER* cipher, ByteView key,
                                        const std::uint8_t* iv, CipherDirection direction) {
  ossl::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return openssl_failure("EVP_CIPHER_CTX_new");
  if (EVP_CIPHER_get_mode(cipher) == EVP_CIPH_WRAP_MODE) {
    EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  }
  if (EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), iv,
                         direction == CipherDirection::Encrypt ? 1 : 0, nullptr) != 1) {
    return openssl_failure("EVP_CipherInit_ex2");
  }
  return ctx;
}

Result<std::size_t> cipher_update(EVP_CIPHER_CTX* ctx, std::uint8_t* out, ByteView in) {
  // A multiple of every block size, so chunking never changes what a block mode buffers.
  constexpr std::size_t kChunk = std::size_t{1} << 30;
  std::size_t written = 0;
  while (!in.empty()) {
    const std::size_t take = std::min(in.size(), kChunk);
    int produced = 0;
    if (EVP_CipherUpdate(ctx, out == nullptr ? nullptr : out + written, &produced, in.data(),
                         static_cast<int>(take)) != 1) {
      return openssl_failure("EVP_CipherUpdate");
    }
    written += static_cast<std::size_t>(produced);
    in = in.subspan(take);
  }
  return written;
}

Result<SecretBytes> pkcs8_der(const EVP_PKEY* pkey) {
  // The two-call i2d convention: measure, then encode into storage that wipes itself.
  const ossl::Pkcs8InfoPtr info(EVP_PKEY2PKCS8(pkey));
  if (info == nullptr) return openssl_failure("EVP_PKEY2PKCS8");
  const int size = i2d_PKCS8_PRIV_KEY_INFO(info.get(), nullptr);
  if (size <= 0) return openssl_failure("i2d_PKCS8_PRIV_KEY_INFO");
  SecretBytes der = SecretBytes::zeroed(static_cast<std::size_t>(size));
  unsigned char* cursor = der.expose_mut().data();
  if (i2d_PKCS8_PRIV_KEY_INFO(info.get(), &cursor) != size) {
    return openssl_failure("i2d_PKCS8_PRIV_KEY_INFO");
  }
  return der;
}

}  // namespace craton::hsm::software
