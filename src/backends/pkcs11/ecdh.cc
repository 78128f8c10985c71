// SPDX-License-Identifier: Apache-2.0
// ECDH on the token (CKM_ECDH1_DERIVE, null KDF): the shared x-coordinate becomes a temporary
// readable generic secret, read back into SecretBytes and destroyed.
#include <fmt/format.h>

#include "backends/common/key_checks.h"
#include "backends/pkcs11/object_guard.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "keys/key_build.h"
#include "pkcs11/session/input.h"
#include "pkcs11/session/readback.h"

namespace craton::hsm::pkcs11 {

Result<SecretBytes> Pkcs11PassthroughBackend::ecdh(const Key& private_key, const Key& peer_public) {
  // The same kinds as the software backend accepts: a peer's private key is refused rather
  // than silently reduced to its public half.
  CRATON_RETURN_IF_ERROR(common::require_kind(private_key, {KeyKind::EcPrivate}, "ECDH (own key)"));
  CRATON_RETURN_IF_ERROR(common::require_kind(peer_public, {KeyKind::EcPublic}, "ECDH (peer key)"));
  if (private_key.curve() != peer_public.curve()) {
    return fail(
        ErrorCode::KeyTypeInconsistent,
        fmt::format("ECDH between a {} and a {}", private_key.describe(), peer_public.describe()));
  }
  CRATON_RETURN_IF_ERROR(capabilities_.table().require(ecdh_row()));
  // The shared secret comes out of C_DeriveKey as an object, resident key or not: on a token
  // without session objects it would be refused or stay for good.
  CRATON_RETURN_IF_ERROR(capabilities_.require_session_objects(
      "ECDH (C_DeriveKey makes the shared secret an object to read back)",
      "derive on a token that keeps session objects"));
  const std::size_t field = keys::curve_info(*private_key.curve()).field_bytes;
  // Validated on import (on the curve, uncompressed 04‖X‖Y): SoftHSM2 and NSS take this raw
  // point as the public data, not the DER OCTET STRING of CKA_EC_POINT (docs/vendors.md).
  const std::vector<std::uint8_t>& point = peer_public.material().public_point;

  return with_key<SecretBytes>(
      private_key, KeyUsage::Derive,
      [&](Lease& lease, CK_OBJECT_HANDLE object) -> Result<SecretBytes> {
        CK_ECDH1_DERIVE_PARAMS params{};
        params.kdf = CKD_NULL;
        params.ulPublicDataLen = point.size();
        params.pPublicData = input_ptr(point);
        CK_MECHANISM mechanism{CKM_ECDH1_DERIVE, &params, sizeof params};
        AttributeTemplate tmpl;
        add_readable_secret(tmpl, pool_->logs_in());
        tmpl.add_ulong(CKA_VALUE_LEN, field);
        CK_OBJECT_HANDLE derived = CK_INVALID_HANDLE;
        CRATON_RETURN_IF_ERROR(
            lease.call<Fn::DeriveKey>(&mechanism, object, tmpl.data(), tmpl.size(), &derived));
        const ObjectGuard guard(lease, derived);
        CRATON_ASSIGN_OR_RETURN(SecretBytes secret,
                                read_secret_attribute(lease, guard.get(), CKA_VALUE));
        if (secret.size() != field) {
          return fail(ErrorCode::Pkcs11Failure,
                      fmt::format("C_DeriveKey produced a {}-byte ECDH secret, expected {}",
                                  secret.size(), field));
        }
        return secret;
      });
}

}  // namespace craton::hsm::pkcs11
