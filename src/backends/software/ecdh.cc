// SPDX-License-Identifier: Apache-2.0
// ECDH with the null KDF: the shared point's x-coordinate (SEC 1 §3.3.1), as secret bytes.
#include <fmt/format.h>

#include "backends/common/key_checks.h"
#include "backends/common/openssl_util.h"
#include "backends/software/software_backend.h"
#include "keys/key_build.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::software {

using common::evp_key;
using common::openssl_failure;

using common::require_kind;

Result<SecretBytes> SoftwareBackend::ecdh(const Key& private_key, const Key& peer_public) {
  CRATON_RETURN_IF_ERROR(require_kind(private_key, {KeyKind::EcPrivate}, "ECDH (own key)"));
  CRATON_RETURN_IF_ERROR(require_kind(peer_public, {KeyKind::EcPublic}, "ECDH (peer key)"));
  if (private_key.curve() != peer_public.curve()) {
    return fail(
        ErrorCode::KeyTypeInconsistent,
        fmt::format("ECDH between a {} and a {}", private_key.describe(), peer_public.describe()));
  }
  CRATON_ASSIGN_OR_RETURN(EVP_PKEY * own, evp_key(private_key));
  CRATON_ASSIGN_OR_RETURN(EVP_PKEY * peer, evp_key(peer_public));

  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
  if (ctx == nullptr) return openssl_failure("EVP_PKEY_CTX_new_from_pkey");
  // validate_peer = 1: a point off the curve must never reach the scalar multiplication.
  if (EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, 1) != 1) {
    return openssl_failure("EVP_PKEY_derive_set_peer_ex");
  }
  // OpenSSL pads the x-coordinate to the field size, which is the length callers expect.
  const std::size_t field = keys::curve_info(*private_key.curve()).field_bytes;
  SecretBytes secret = SecretBytes::zeroed(field);
  std::size_t size = secret.size();
  if (EVP_PKEY_derive(ctx.get(), secret.expose_mut().data(), &size) != 1 || size != field) {
    return openssl_failure("EVP_PKEY_derive");
  }
  return secret;
}

}  // namespace craton::hsm::software
