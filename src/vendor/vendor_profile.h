// SPDX-License-Identifier: Apache-2.0
// VendorProfile: the one place that holds per-vendor behaviour (docs/vendors/*.md), as quirk
// switches selected from the module's identity strings and overridden by the configuration.
#pragma once

#include <craton/hsm/config.h>
#include <craton/hsm/error.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace craton::hsm::vendor {

// What CKM_AES_KEY_WRAP_PAD (0x210A) means on a token: PKCS#11 v2.40 left it loosely defined
// and vendors disagree (../../docs/vendors/softhsm2.md, nss.md).
enum class WrapPadMeaning : std::uint8_t {
  Unknown,                // never rely on it: RFC 5649 only through CKM_AES_KEY_WRAP_KWP
  Rfc5649,                // RFC 5649 at every length
  Rfc5649BlockMultiples,  // RFC 5649 only for inputs that are a multiple of 8 bytes (SoftHSM2)
  Rfc3394OverPkcs7,       // RFC 3394 over PKCS#7-padded input (NSS): not RFC 5649 at all
};

// The quirk switches. Defaults are the spec's behaviour (the generic profile); each profile
// changes only what its vendor does differently. Every switch is named in [vendor_quirks].
struct Quirks {
  // One call at a time into the module: it is not thread-safe.
  bool serialize_calls = false;
  // Calls after C_Finalize (or a failed C_Initialize) answer CKR_OK without doing anything.
  bool ok_after_finalize = false;
  // ulMaxSessionCount / ulMaxRwSessionCount are not to be trusted (openCryptoki: 2^64-2).
  bool untrusted_session_limits = false;
  // The token's real session limit when it does not report one; 0: none known.
  std::uint32_t max_sessions = 0;
  // The GCM output-length query answers the plaintext length only: size output as pt + tag.
  bool gcm_short_length_query = false;
  // CKR_BUFFER_TOO_SMALL ends the operation: re-Init before retrying.
  bool buffer_too_small_ends_operation = false;
  // AES-GCM is single-part only (Update/Final answer CKR_OPERATION_NOT_INITIALIZED).
  bool gcm_single_part_only = false;
  // CKR_GENERAL_ERROR from GCM decrypt, CBC-PAD decrypt or unwrap is a failed integrity check.
  bool general_error_is_integrity_failure = false;
  // CKM_RSA_PKCS_OAEP works with SHA-1/MGF1-SHA1 only, whatever the parameters ask.
  bool oaep_sha1_only = false;
  WrapPadMeaning aes_key_wrap_pad = WrapPadMeaning::Unknown;
  // AES-GCM encryption: the token writes its own IV into CK_GCM_PARAMS.pIv and refuses caller
  // IVs, so the caller cannot choose (or count) the IV.
  bool gcm_token_generates_iv = false;
  // C_CreateObject of a CKO_PRIVATE_KEY is refused: private keys come in by C_UnwrapKey only.
  bool refuses_private_key_create = false;
  // Key generation templates must not name usages the token derives itself (an explicit
  // CKA_DERIVE false is refused): generate with the requested usages only, first time.
  // Learned at run time too, when a token refuses the explicit template and takes this one.
  bool minimal_key_templates = false;

  friend bool operator==(const Quirks&, const Quirks&) = default;
};

// A named, built-in profile: softhsm2, nss, opencryptoki, luna, cloudhsm, nshield, utimaco,
// yubihsm2, generic.
struct ProfileDefinition {
  std::string_view name;
  std::string_view why;  // one line: where its quirks come from
  Quirks quirks;
};

// The identity strings a module gives (C_GetInfo and the selected token's C_GetTokenInfo),
// trimmed of their blank padding.
struct VendorStrings {
  std::string library_manufacturer;
  std::string library_description;
  std::string token_manufacturer;
  std::string token_model;
};

// The profile in force for one backend: which built-in it started from, how it was chosen,
// and the quirks after the configuration's overrides.
struct VendorProfile {
  std::string_view name = "generic";
  bool detected = false;    // chosen by vendor_profile = "auto" from the identity strings
  bool overridden = false;  // [vendor_quirks] or serialize_calls changed a switch
  Quirks quirks;
};

// Every built-in profile, generic last.
[[nodiscard]] std::span<const ProfileDefinition> profiles() noexcept;
[[nodiscard]] const ProfileDefinition* find_profile(std::string_view name) noexcept;
// Every [vendor_quirks] key.
[[nodiscard]] std::span<const std::string_view> quirk_names() noexcept;
[[nodiscard]] std::string_view wrap_pad_name(WrapPadMeaning meaning) noexcept;

// The built-in profile whose vendor the strings name (case-insensitive), else generic.
[[nodiscard]] const ProfileDefinition& detect(const VendorStrings& strings);

// Sets one switch from a [vendor_quirks] value. Errors: ConfigInvalid naming
// "vendor_quirks.<name>" for an unknown name or a value of the wrong type or range (the config
// layer checks names first, with suggestions: src/config/validate_vendor.cc).
[[nodiscard]] Result<void> apply_quirk(Quirks& quirks, std::string_view name,
                                       const VendorQuirkValue& value);

// The profile for a module: config.vendor_profile ("auto": detect(strings)), then each
// [vendor_quirks] entry, then serialize_calls when set. Errors: ConfigInvalid for an unknown
// profile or quirk (Pkcs11PassthroughConfig::validate refuses those first).
[[nodiscard]] Result<VendorProfile> resolve(const Pkcs11PassthroughConfig& config,
                                            const VendorStrings& strings);

// "softhsm2 (detected)", "luna (configured, overridden)": for messages and `info`.
[[nodiscard]] std::string describe(const VendorProfile& profile);

// The switches that differ from the spec's behaviour (the generic profile), in [vendor_quirks]
// order, as they would be written there: "oaep_sha1_only", "max_sessions = 16",
// "aes_key_wrap_pad = \"rfc5649_block_multiples\"". Empty for the generic profile.
[[nodiscard]] std::vector<std::string> active_quirks(const Quirks& quirks);

}  // namespace craton::hsm::vendor
