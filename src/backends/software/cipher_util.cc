// SPDX-License-Identifier: Apache-2.0
// Checked int lengths, cipher start-up and chunked cipher updates for the software backend.
#include "backends/software/cipher_util.h"

#include <algorithm>
#include <climits>

#include <fmt/format.h>

#include "backends/common/openssl_util.h"

namespace craton::hsm::software {

using common::openssl_failure;

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

}  // namespace craton::hsm::software
