// SPDX-License-Identifier: Apache-2.0
// Switches: the named on/off and numeric settings of craton_fault_set and of the spec's
// NAME=VALUE items (fault_shim_control.h lists them).
#pragma once

#include <atomic>
#include <string_view>

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::fault_shim {

struct Switches {
  std::atomic<bool> cant_lock{false};
  std::atomic<unsigned long> max_rw_sessions{0};
  std::atomic<bool> session_info_unsupported{false};
  std::atomic<CK_MECHANISM_TYPE> hidden_mechanism{CK_UNAVAILABLE_INFORMATION};
  // C_GetMechanismInfo of unflag_mechanism reports its flags without unflag_bits (a token that
  // lists a mechanism for some uses only: encrypt but not decrypt, wrap but not unwrap).
  std::atomic<CK_MECHANISM_TYPE> unflag_mechanism{CK_UNAVAILABLE_INFORMATION};
  std::atomic<CK_FLAGS> unflag_bits{0};
  std::atomic<bool> foreign_manufacturer{false};
  std::atomic<bool> bare_ec_point{false};
  std::atomic<bool> hide_check_value{false};
  std::atomic<bool> fail_after_call{false};
  std::atomic<unsigned long> max_sessions{0};
  // Tokens without session objects: a template asking for one (CKA_TOKEN false or absent)
  // is refused with CKR_ATTRIBUTE_VALUE_INVALID, or silently made a token object.
  std::atomic<bool> reject_session_objects{false};
  std::atomic<bool> persist_session_objects{false};
  // Vendor quirk modes (vendor_modes.h): a module that is not thread-safe (a second call inside
  // it at once answers CKR_GENERAL_ERROR, and counts as an overlap), NSS's CKR_OK after
  // C_Finalize, CloudHSM's token-chosen GCM IV, Luna's and CloudHSM's refused private-key
  // C_CreateObject.
  std::atomic<bool> not_thread_safe{false};
  std::atomic<bool> ok_after_finalize{false};
  std::atomic<bool> gcm_token_iv{false};
  std::atomic<bool> refuse_private_key_create{false};
  // CKO_SECRET_KEY too (tokens refusing clear secret-key import: CloudHSM, nShield in FIPS).
  std::atomic<bool> refuse_secret_key_create{false};
  // Strict key templates (vendor_modes.h): the CKR_* a generation template naming a usage
  // attribute false gets (CKR_OK: off); the attribute set true on every generated private or
  // secret key (CK_UNAVAILABLE_INFORMATION: off); generation templates' CKA_SENSITIVE true
  // made false.
  std::atomic<CK_RV> strict_usage_templates{CKR_OK};
  std::atomic<CK_ATTRIBUTE_TYPE> grant_extra_usage{CK_UNAVAILABLE_INFORMATION};
  std::atomic<bool> weaken_generated_keys{false};
};

Switches& switches();

// Sets the switch called `name` (also "seed" and "restart_every_ms", which live in the fault
// plan and the device); false for a name no switch has.
bool set_switch(std::string_view name, unsigned long value);
// Whether set_switch knows `name` (the spec parser refuses other names).
bool is_switch(std::string_view name);
void reset_switches();

}  // namespace craton::hsm::fault_shim
