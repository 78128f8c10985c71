// SPDX-License-Identifier: Apache-2.0
// AES key wrap: RFC 3394 (KW) and RFC 5649 (KWP, with padding), with their default IVs.
#include <fmt/format.h>

#include "backends/software/openssl_util.h"
#include "backends/software/software_backend.h"
#include "keys/key_material.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::software {
namespace {

constexpr std::size_t kSemiblock = 8;
// RFC 3394 §2 wraps n >= 2 semiblocks. RFC 5649 would also wrap a single semiblock, and
// Wycheproof calls KW of 8 bytes "acceptable", but one semiblock is no key: we refuse it.
constexpr std::size_t kMinKwInput = 2 * kSemiblock;

AesMode mode_of(KeyWrapScheme scheme) {
  return scheme == KeyWrapScheme::AesKw ? AesMode::Kw : AesMode::Kwp;
}

std::string_view name_of(KeyWrapScheme scheme) {
  return scheme == KeyWrapScheme::AesKw ? "AES-KW" : "AES-KWP";
}

}  // namespace

Result<Bytes> SoftwareBackend::wrap_key(const Key& kek, KeyWrapScheme scheme,
                                        const SecretBytes& key_to_wrap) {
  CRATON_ASSIGN_OR_RETURN(const EVP_CIPHER* cipher, aes_cipher(kek, mode_of(scheme)));
  const std::size_t size = key_to_wrap.size();
  const bool kw = scheme == KeyWrapScheme::AesKw;
  if (kw ? (size < kMinKwInput || size % kSemiblock != 0) : size == 0) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("{} cannot wrap {} bytes{}", name_of(scheme), size,
                            kw ? " (needs a multiple of 8, at least 16)" : ""));
  }
  CRATON_RETURN_IF_ERROR(check_input_size(size, "key to wrap"));
  // KWP pads to whole semiblocks (RFC 5649 §4.1); both add one semiblock of integrity check.
  const std::size_t expected = (size + kSemiblock - 1) / kSemiblock * kSemiblock + kSemiblock;
  // Wrapping is a single update call, so input and output must both fit OpenSSL's int.
  CRATON_RETURN_IF_ERROR(checked_int(expected, "wrapped key"));
  // A null IV selects the RFC's default: A6A6A6A6A6A6A6A6 (KW) or A65959A6‖length (KWP).
  CRATON_ASSIGN_OR_RETURN(
      ossl::CipherCtxPtr ctx,
      start_cipher(cipher, kek.material().secret.expose(), nullptr, CipherDirection::Encrypt));

  Bytes wrapped(expected);
  int written = 0;
  if (EVP_EncryptUpdate(ctx.get(), wrapped.data(), &written, key_to_wrap.expose().data(),
                        static_cast<int>(size)) != 1 ||
      static_cast<std::size_t>(written) != expected) {
    return openssl_failure("EVP_EncryptUpdate (key wrap)");
  }
  return wrapped;
}

Result<SecretBytes> SoftwareBackend::unwrap_key(const Key& kek, KeyWrapScheme scheme,
                                                ByteView wrapped) {
  CRATON_ASSIGN_OR_RETURN(const EVP_CIPHER* cipher, aes_cipher(kek, mode_of(scheme)));
  // The shortest output of wrap_key: KW of 16 bytes, KWP of 1 byte.
  const std::size_t min_size =
      (scheme == KeyWrapScheme::AesKw ? kMinKwInput : kSemiblock) + kSemiblock;
  if (wrapped.size() < min_size || wrapped.size() % kSemiblock != 0) {
    return fail(ErrorCode::WrappedKeyInvalid,
                fmt::format("{} wrapped key of {} bytes has an impossible length", name_of(scheme),
                            wrapped.size()));
  }
  CRATON_RETURN_IF_ERROR(check_input_size(wrapped.size(), "wrapped key"));
  CRATON_ASSIGN_OR_RETURN(const int in_size, checked_int(wrapped.size(), "wrapped key"));
  CRATON_ASSIGN_OR_RETURN(
      ossl::CipherCtxPtr ctx,
      start_cipher(cipher, kek.material().secret.expose(), nullptr, CipherDirection::Decrypt));

  SecretBytes key = SecretBytes::zeroed(wrapped.size());
  int written = 0;
  if (EVP_DecryptUpdate(ctx.get(), key.expose_mut().data(), &written, wrapped.data(), in_size) !=
          1 ||
      written <= 0) {
    // The integrity check value (or KWP's length and padding) did not match.
    discard_openssl_errors();
    return fail(ErrorCode::WrappedKeyInvalid,
                fmt::format("{} integrity check failed", name_of(scheme)));
  }
  key.truncate(static_cast<std::size_t>(written));
  return key;
}

}  // namespace craton::hsm::software
