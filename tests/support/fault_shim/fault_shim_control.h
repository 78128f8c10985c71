// SPDX-License-Identifier: Apache-2.0
// The C interface tests use to steer the fault-injection shim (a PKCS#11 module that forwards
// every call to a real module and misbehaves only where told to).
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

// Switches: "cant_lock" (C_Initialize answers CKR_CANT_LOCK while CKF_OS_LOCKING_OK is set),
// "max_rw_sessions" (C_GetTokenInfo reports this ulMaxRwSessionCount; 0 = the real value),
// "session_info_unsupported" (C_GetSessionInfo answers CKR_FUNCTION_NOT_SUPPORTED),
// "hide_mechanism" (this CKM_* value vanishes from the mechanism list, and key generation
// with it answers CKR_MECHANISM_INVALID), "foreign_manufacturer" (C_GetInfo names another
// library vendor than SoftHSM, so vendor-specific readings must not apply), "bare_ec_point"
// (C_GetAttributeValue returns CKA_EC_POINT as the bare SEC1 point, not the DER OCTET STRING
// SoftHSM2 stores, as several vendors' modules do), "hide_check_value" (CKA_CHECK_VALUE is
// unavailable, as on tokens that do not keep one), "fail_after_call" (a planned failure
// lets the call reach the module first and then replaces its answer, so the operation ends as
// it does on a module that fails a terminating call: C_Decrypt with an error ends decryption).
void craton_fault_set(const char* name, unsigned long value);

// The next `count` calls of `function` ("C_Sign") return `rv` without reaching the module
// (or, with "fail_after_call", after reaching it). A process the test cannot call into (the
// CLI) takes its failures from the environment when the shim loads:
// CRATON_FAULT_FAIL="C_CreateObject=0x12;C_Sign=0x30:2" (FUNCTION=RV[:COUNT], default: every call).
void craton_fault_fail(const char* function, unsigned long rv, unsigned long count);
// The same, after the next `skip` calls of `function` have passed untouched.
void craton_fault_fail_later(const char* function, unsigned long rv, unsigned long skip,
                             unsigned long count);

// Clears every fault and the concurrency high-water mark.
void craton_fault_reset(void);

// The largest number of calls that were inside the real module at the same time.
unsigned long craton_fault_max_concurrency(void);

#ifdef __cplusplus
}
#endif
