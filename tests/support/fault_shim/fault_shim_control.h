// SPDX-License-Identifier: Apache-2.0
// The C interface tests use to steer the fault-injection shim (a PKCS#11 module that forwards
// every call to a real module and misbehaves only where told to). docs/fault-shim.md describes
// every fault, the spec grammar and the counters.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

// Switches: "cant_lock" (C_Initialize answers CKR_CANT_LOCK while CKF_OS_LOCKING_OK is set),
// "max_rw_sessions" (C_GetTokenInfo reports this ulMaxRwSessionCount; 0 = the real value),
// "session_info_unsupported" (C_GetSessionInfo answers CKR_FUNCTION_NOT_SUPPORTED),
// "hide_mechanism" (this CKM_* value vanishes from the mechanism list, and key generation
// with it answers CKR_MECHANISM_INVALID), "unflag_mechanism" and "unflag_bits"
// (C_GetMechanismInfo of that CKM_* value reports its flags without those CKF_* bits: a
// mechanism listed for some uses only; the module itself still accepts every use),
// "foreign_manufacturer" (C_GetInfo and C_GetTokenInfo
// name another vendor, library and model than SoftHSM's, so vendor_profile = "auto" detects
// the generic profile and vendor-specific readings must not apply), "bare_ec_point"
// (C_GetAttributeValue returns CKA_EC_POINT as the bare SEC1 point, not the DER OCTET STRING
// SoftHSM2 stores, as several vendors' modules do), "hide_check_value" (CKA_CHECK_VALUE is
// unavailable, as on tokens that do not keep one), "fail_after_call" (a planned failure
// lets the call reach the module first and then replaces its answer, so the operation ends as
// it does on a module that fails a terminating call: C_Decrypt with an error ends decryption),
// "max_sessions" (C_OpenSession answers CKR_SESSION_COUNT while this many sessions opened
// through the shim are alive; 0 = no limit), "reject_session_objects" (C_CreateObject,
// C_GenerateKey(Pair), C_UnwrapKey and C_DeriveKey answer CKR_ATTRIBUTE_VALUE_INVALID for a
// template with CKA_TOKEN false or absent: a token without session objects),
// "persist_session_objects" (those calls reach the module with CKA_TOKEN true instead: a
// token that keeps "session" objects as permanent ones), "not_thread_safe" (a call arriving while
// another is inside the shim answers CKR_GENERAL_ERROR and counts in `overlaps`: a module that is
// not thread-safe), "ok_after_finalize" (after C_Finalize or a failed C_Initialize every call
// answers CKR_OK without doing anything, as NSS softokn does), "gcm_token_iv" (C_EncryptInit with
// CKM_AES_GCM refuses a non-zero caller IV with CKR_MECHANISM_PARAM_INVALID and writes its own
// random IV into the parameters, as AWS CloudHSM does), "refuse_private_key_create" (C_CreateObject
// of a CKO_PRIVATE_KEY answers CKR_TEMPLATE_INCONSISTENT, as Luna and CloudHSM do),
// "refuse_secret_key_create" (the same for a CKO_SECRET_KEY: no clear secret-key import), "seed"
// (the seed of the probabilistic faults), "restart_every_ms" (the HSM restarts each time this many
// ms have passed, checked at each call; 0 = never). Unknown names are ignored here (the spec parser
// refuses them).
void craton_fault_set(const char* name, unsigned long value);

// The next `count` calls of `function` ("C_Sign") return `rv` without reaching the module
// (or, with "fail_after_call", after reaching it). `count` 0 clears the function's planned
// failure. A process the test cannot call into (the CLI) takes its failures from the
// environment when the shim loads: CRATON_FAULT_FAIL="C_CreateObject=0x12;C_Sign=0x30:2"
// (FUNCTION=RV[:COUNT], default: every call), or the fuller CRATON_FAULT spec below.
void craton_fault_fail(const char* function, unsigned long rv, unsigned long count);
// The same, after the next `skip` calls of `function` have passed untouched.
void craton_fault_fail_later(const char* function, unsigned long rv, unsigned long skip,
                             unsigned long count);

// Adds the items of a spec (the grammar of CRATON_FAULT, docs/fault-shim.md), e.g.
// "seed=7;C_Sign:CKR_DEVICE_ERROR:nth=3;*:0x30:p=0.01;C_Encrypt:restart:nth=5".
// Returns 0, or -1 when an item is malformed: then nothing of the spec is applied and
// craton_fault_last_error() names the bad item.
int craton_fault_add(const char* spec);
// The message of the last refused spec ("" when none); valid until the next refusal.
const char* craton_fault_last_error(void);

// The HSM restarts now: every session and object handle issued so far is stale, the login is
// gone, session objects are destroyed, token objects survive (found again under new handles).
void craton_fault_restart(void);
// The token loses the login now, between calls: sessions and handles stay valid, private
// objects become inaccessible (CKR_USER_NOT_LOGGED_IN, or stale handles) until someone logs in
// again, private session objects are destroyed.
void craton_fault_log_out(void);
// The device is gone for `ms` milliseconds (session calls answer CKR_DEVICE_REMOVED, slot and
// token calls CKR_TOKEN_NOT_PRESENT), then comes back as after a restart.
void craton_fault_vanish(unsigned long ms);

// Clears every fault and switch, ends a vanish window, wakes sleeping (hung) calls and zeroes
// the call, fault and restart counters and the concurrency high-water mark. Live sessions
// and objects stay counted: they are still alive.
void craton_fault_reset(void);

// The largest number of calls that were inside the real module at the same time.
unsigned long craton_fault_max_concurrency(void);

// What the shim saw since it loaded (or since the last reset, for the counters).
struct CratonFaultStats {
  unsigned long calls;            // every C_ call the shim answered
  unsigned long live_sessions;    // opened through the shim and neither closed nor restarted away
  unsigned long live_objects;     // created through the shim and still on the token
  unsigned long sessions_opened;  // successful C_OpenSession calls
  unsigned long objects_created;  // objects the shim saw created (a key pair counts 2)
  unsigned long faults_injected;  // answers or outputs the shim altered (not restarts, sleeps)
  unsigned long restarts;         // HSM restarts, including those that begin a vanish window
  unsigned long max_concurrency;  // as craton_fault_max_concurrency()
  unsigned long overlaps;         // not_thread_safe: calls refused because another was inside
};
void craton_fault_stats(struct CratonFaultStats* stats);
// How often `function` ("C_Sign") was called through the shim; 0 for an unknown name.
unsigned long craton_fault_calls(const char* function);
// Writes the stats file named by CRATON_FAULT_STATS now (it is also written on C_Finalize and
// at exit).
// Returns 0, or -1 when the variable is unset or the file cannot be written.
int craton_fault_write_stats(void);

#ifdef __cplusplus
}
#endif
