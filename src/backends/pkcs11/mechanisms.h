// SPDX-License-Identifier: Apache-2.0
// Which PKCS#11 mechanism implements each of our hashes.
#pragma once

#include <craton/hsm/schemes.h>

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::pkcs11 {

struct HashMechanisms {
  CK_MECHANISM_TYPE digest;    // CKM_SHA256
  CK_MECHANISM_TYPE hmac;      // CKM_SHA256_HMAC
  CK_MECHANISM_TYPE mgf;       // CKG_MGF1_SHA256
  CK_MECHANISM_TYPE rsa_pkcs;  // CKM_SHA256_RSA_PKCS
  CK_MECHANISM_TYPE rsa_pss;   // CKM_SHA256_RSA_PKCS_PSS
};

[[nodiscard]] HashMechanisms hash_mechanisms(HashAlg hash) noexcept;

}  // namespace craton::hsm::pkcs11
