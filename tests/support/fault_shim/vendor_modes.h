// SPDX-License-Identifier: Apache-2.0
// Quirk modes that make SoftHSM2 behave like the vendors whose tokens are not here (docs/
// vendors/): NSS's blind CKR_OK after C_Finalize, CloudHSM's token-chosen GCM IV, Luna's and
// CloudHSM's refusal to create private keys, a module that is not thread-safe.
#pragma once

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::fault_shim {

// ok_after_finalize: wraps every entry of `list` so that, after a successful C_Finalize or a
// failed C_Initialize and until a successful C_Initialize, each call but C_Initialize answers
// CKR_OK without reaching the module or writing any output (a second C_Finalize too), as NSS
// softokn 3.87 does. The switch is read per call; the state is tracked always.
void install_vendor_modes(CK_FUNCTION_LIST& list);

// refuse_private_key_create: C_CreateObject of a CKO_PRIVATE_KEY answers
// CKR_TEMPLATE_INCONSISTENT (Luna, CloudHSM); refuse_secret_key_create: the same for a
// CKO_SECRET_KEY (clear secret-key import refused: CloudHSM, nShield in FIPS mode); CKR_OK when
// the call may go on.
CK_RV refuse_private_key(const CK_ATTRIBUTE* attributes, CK_ULONG count);

// gcm_token_iv: C_EncryptInit with CKM_AES_GCM refuses a caller IV (any non-zero byte) with
// CKR_MECHANISM_PARAM_INVALID and otherwise writes a random IV of the given length into
// CK_GCM_PARAMS.pIv before the module sees it (CloudHSM); CKR_OK when the call may go on.
CK_RV token_gcm_iv(CK_MECHANISM_PTR mechanism);

}  // namespace craton::hsm::fault_shim
