// SPDX-License-Identifier: Apache-2.0
// HMAC-SHA-256/384/512 on the token (CKM_SHA*_HMAC through C_Sign), and its verification by a
// constant-time comparison on the host.
#include <fmt/format.h>

#include "backends/common/key_checks.h"
#include "backends/pkcs11/mechanisms.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "pkcs11/session/input.h"
#include "pkcs11/session/output_length.h"

namespace craton::hsm::pkcs11 {

Result<Bytes> Pkcs11PassthroughBackend::hmac(const Key& key, HashAlg hash, ByteView message) {
  CRATON_RETURN_IF_ERROR(check_input_size(message.size(), "message"));
  CRATON_RETURN_IF_ERROR(common::require_kind(key, {KeyKind::Hmac}, "HMAC"));
  // The capability table's row: HMAC-SHA-224 is not offered, the others when the token lists
  // the mechanism with CKF_SIGN.
  CRATON_RETURN_IF_ERROR(capabilities_.table().require(hmac_row(hash)));
  const CK_MECHANISM_TYPE type = capabilities_.table().at(hmac_row(hash)).mechanism;
  // SoftHSM2 refuses keys shorter than the hash output with CKR_KEY_SIZE_RANGE (docs/vendors.md);
  // that arrives as KeySizeRange, unchanged: the key is fine elsewhere, just not here.
  return with_key<Bytes>(
      key, KeyUsage::Mac, [&](Lease& lease, CK_OBJECT_HANDLE object) -> Result<Bytes> {
        CK_MECHANISM mechanism{type, nullptr, 0};
        CRATON_RETURN_IF_ERROR(lease.call<Fn::SignInit>(&mechanism, object));
        // The tag length is the digest size: no length query.
        Bytes tag(digest_size(hash));
        CK_ULONG length = tag.size();
        CRATON_RETURN_IF_ERROR(
            lease.call<Fn::Sign>(input_ptr(message), input_len(message), tag.data(), &length));
        CRATON_RETURN_IF_ERROR(
            output_length(Fn::Sign, length, tag.size(), ExpectedLength::exactly(tag.size())));
        return tag;
      });
}

Result<VerifyOutcome> Pkcs11PassthroughBackend::hmac_verify(const Key& key, HashAlg hash,
                                                            ByteView message, ByteView tag) {
  // Computed on the token and compared here rather than with C_Verify: the comparison is then
  // constant-time by our own code, and a wrong-length tag cannot meet a module that accepts
  // truncated tags (PKCS#11 general-length HMAC). Only full-length tags verify; the length
  // is public, the comparison of equal lengths is constant-time (CRYPTO_memcmp).
  CRATON_ASSIGN_OR_RETURN(const Bytes expected, hmac(key, hash, message));
  return constant_time_equal(expected, tag) ? VerifyOutcome::Valid : VerifyOutcome::Invalid;
}

}  // namespace craton::hsm::pkcs11
