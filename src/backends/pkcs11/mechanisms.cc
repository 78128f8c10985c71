// SPDX-License-Identifier: Apache-2.0
// The hash-to-mechanism table.
#include "backends/pkcs11/mechanisms.h"

namespace craton::hsm::pkcs11 {

HashMechanisms hash_mechanisms(HashAlg hash) noexcept {
  switch (hash) {
    case HashAlg::Sha224:
      return {CKM_SHA224, CKM_SHA224_HMAC, CKG_MGF1_SHA224, CKM_SHA224_RSA_PKCS,
              CKM_SHA224_RSA_PKCS_PSS};
    case HashAlg::Sha256:
      return {CKM_SHA256, CKM_SHA256_HMAC, CKG_MGF1_SHA256, CKM_SHA256_RSA_PKCS,
              CKM_SHA256_RSA_PKCS_PSS};
    case HashAlg::Sha384:
      return {CKM_SHA384, CKM_SHA384_HMAC, CKG_MGF1_SHA384, CKM_SHA384_RSA_PKCS,
              CKM_SHA384_RSA_PKCS_PSS};
    case HashAlg::Sha512:
      return {CKM_SHA512, CKM_SHA512_HMAC, CKG_MGF1_SHA512, CKM_SHA512_RSA_PKCS,
              CKM_SHA512_RSA_PKCS_PSS};
  }
  return {};
}

}  // namespace craton::hsm::pkcs11
