// SPDX-License-Identifier: Apache-2.0
// AES key wrap: RFC 3394 (KW) and RFC 5649 (KWP, with padding), with their default IVs.
#include <fmt/format.h>

#include "backends/common/algorithms.h"
#include "backends/common/key_wrap_rules.h"
#include "backends/common/openssl_util.h"
#include "backends/software/cipher_util.h"
#include "backends/software/software_backend.h"
#include "keys/key_material.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::software {

using common::AesMode;
using common::check_wrapped_length;
using common::discard_openssl_errors;
using common::openssl_failure;
using common::wrap_scheme_name;
using common::wrapped_size;

namespace {

AesMode mode_of(KeyWrapScheme scheme) {
  return scheme == KeyWrapScheme::AesKw ? AesMode::Kw : AesMode::Kwp;
}

}  // namespace

Result<Bytes> SoftwareBackend::wrap_key(const Key& kek, KeyWrapScheme scheme,
                                        const SecretBytes& key_to_wrap) {
  CRATON_ASSIGN_OR_RETURN(const EVP_CIPHER* cipher, aes_cipher(kek, mode_of(scheme)));
  const std::size_t size = key_to_wrap.size();
  CRATON_ASSIGN_OR_RETURN(const std::size_t expected, wrapped_size(scheme, size));
  CRATON_RETURN_IF_ERROR(check_input_size(size, "key to wrap"));
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
  CRATON_RETURN_IF_ERROR(check_wrapped_length(scheme, wrapped.size()));
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
                fmt::format("{} integrity check failed", wrap_scheme_name(scheme)));
  }
  key.truncate(static_cast<std::size_t>(written));
  return key;
}

}  // namespace craton::hsm::software
