// SPDX-License-Identifier: Apache-2.0
// Quirk modes that make SoftHSM2 behave like the vendors whose tokens are not here (docs/
// vendors/): NSS's blind CKR_OK after C_Finalize, CloudHSM's token-chosen GCM IV, Luna's and
// CloudHSM's refusal to create private keys, a module that is not thread-safe.
#pragma once

#include <vector>

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

// strict_usage_templates: a key-generation template naming any usage attribute (CKA_ENCRYPT ..
// CKA_DERIVE) with CK_FALSE gets the switch's CKR_* (tokens that derive usages themselves and
// refuse to be told); CKR_OK when the call may go on.
CK_RV strict_usage_template(const CK_ATTRIBUTE* attributes, CK_ULONG count);

// weaken_generated_keys: the generation template with CKA_SENSITIVE true made false (a token
// that ignores what it was asked); otherwise the caller's template unchanged.
class WeakenedTemplate {
 public:
  WeakenedTemplate(CK_ATTRIBUTE_PTR attributes, CK_ULONG count);
  [[nodiscard]] CK_ATTRIBUTE_PTR data() const { return data_; }
  [[nodiscard]] CK_ULONG size() const { return count_; }

 private:
  CK_BBOOL no_ = CK_FALSE;
  std::vector<CK_ATTRIBUTE> copy_;
  CK_ATTRIBUTE_PTR data_;
  CK_ULONG count_;
};

// grant_extra_usage: sets that attribute true on the key the real module just generated
// (C_SetAttributeValue on the real session), as a token granting a usage nobody asked for.
void grant_extra_usage(CK_SESSION_HANDLE real_session, CK_OBJECT_HANDLE real_key);

}  // namespace craton::hsm::fault_shim
