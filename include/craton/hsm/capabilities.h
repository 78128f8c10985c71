// SPDX-License-Identifier: Apache-2.0
// The capability table: which of our schemes a PKCS#11 token can do, and how (on the token
// with its own mechanism, on the token over a digest computed on the host, or not at all).
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/export.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace craton::hsm {

struct Pkcs11PassthroughConfig;

// Token: the token's mechanism does the whole operation (CKM_SHA256_RSA_PKCS for a message).
// HostPrehash: the host hashes the message (and, for PKCS#1 v1.5, builds the DigestInfo) and
// the token signs or verifies that with its raw mechanism (CKM_RSA_PKCS, CKM_RSA_PKCS_PSS,
// CKM_ECDSA): the same bits as the combined mechanism (docs/vendors.md, "The capability
// table"). Unsupported: the operation fails with MechanismUnsupported before any token call.
enum class CapabilityHow : std::uint8_t { Token, HostPrehash, Unsupported };

// "token", "host-prehash", "unsupported".
[[nodiscard]] CRATON_HSM_API std::string_view capability_how_name(CapabilityHow how) noexcept;

// One row of the table: a scheme for one operation.
struct SchemeCapability {
  std::string scheme;     // "RSA-PKCS1v15-SHA256", "RSA-OAEP-SHA256", "AES-GCM", "AES-256"
  std::string operation;  // "sign", "sign-digest", "verify", "verify-digest", "encrypt",
                          // "decrypt", "wrap", "unwrap", "mac", "mac-verify", "derive",
                          // "digest", "generate"
  bool supported = false;
  CapabilityHow how = CapabilityHow::Unsupported;
  std::string mechanism;  // the mechanism the token is asked, "CKM_ECDSA"; empty if none
  std::string reason;     // why it is unsupported (names the token); empty when supported
};

// What one token can do, as detected when the backend was created (or by
// describe_token_capabilities). Plain values.
struct TokenCapabilities {
  std::string token_label;
  std::string token_manufacturer;
  std::string library_manufacturer;
  std::vector<SchemeCapability> schemes;  // always the same rows, in the same order
  // The session-object probe's finding: "kept", "rejected", "persisted" or "unknown", and
  // what it saw when not "kept" (docs/vendors.md, "Session objects").
  std::string session_objects;
  std::string session_objects_detail;
  // The vendor profile in force (docs/vendors/): its name ("softhsm2"), how it was chosen
  // ("detected" from the module's identity, or "configured" by vendor_profile), whether the
  // configuration changed any of its switches, and every switch that differs from the spec's
  // behaviour, as written in [vendor_quirks] ("oaep_sha1_only", "max_sessions = 16").
  std::string vendor_profile;
  std::string vendor_profile_source;
  bool vendor_profile_overridden = false;
  std::vector<std::string> vendor_quirks;
  // How secret and private keys reach the token (docs/import-by-unwrap.md): the configured
  // import_method ("auto", "create", "unwrap") and, per key class, the way in force now:
  // "create", "unwrap", "unwrap (vendor profile: ...)" or "unwrap (auto: the token refused
  // C_CreateObject)".
  std::string import_method;
  std::string secret_key_import;
  std::string private_key_import;
};

// Detects the capabilities of the token the config selects without logging in: the library,
// token and mechanism descriptions (C_GetInfo, C_GetTokenInfo, C_GetMechanismList,
// C_GetMechanismInfo), and the session-object probe on public sessions (one throwaway public
// data object, destroyed). Errors: ConfigInvalid, LibraryLoad, TokenNotFound and the token's
// failures while describing; a probe that cannot finish leaves session_objects "unknown".
[[nodiscard]] CRATON_HSM_API Result<TokenCapabilities> describe_token_capabilities(
    const Pkcs11PassthroughConfig& config);

}  // namespace craton::hsm
