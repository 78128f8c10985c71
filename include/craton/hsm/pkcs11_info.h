// SPDX-License-Identifier: Apache-2.0
// What a PKCS#11 module and its tokens say about themselves (C_GetInfo, C_GetTokenInfo,
// C_GetMechanismInfo), as plain values: for `craton-hsm info` and for tools that list the
// tokens before choosing one. Describing needs no PIN and never logs in.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/export.h>
#include <craton/hsm/pkcs11_uri.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace craton::hsm {

struct Pkcs11PassthroughConfig;

// major.minor, the minor as the module writes it (2.40 is {2, 40}).
struct Pkcs11Version {
  std::uint8_t major = 0;
  std::uint8_t minor = 0;
};

// C_GetInfo, with the fixed-width blank-padded fields trimmed. Every text field here and in
// Pkcs11TokenInfo is printable UTF-8 whatever the module wrote: it ends at a NUL, bytes that are
// not part of a printable character become '?', trailing blanks are trimmed
// (docs/reliability.md, "Misbehaving vendors").
struct Pkcs11LibraryInfo {
  std::string manufacturer;
  std::string description;
  Pkcs11Version library_version;
  Pkcs11Version cryptoki_version;
};

// C_GetTokenInfo, with the blank-padded fields trimmed. Counts that the token reports as
// unavailable or effectively infinite are std::nullopt.
struct Pkcs11TokenInfo {
  std::uint64_t slot_id = 0;
  std::string label;
  std::string manufacturer;
  std::string model;
  std::string serial;
  std::uint64_t flags = 0;  // the CKF_* bits; token_flag_names() spells them
  std::optional<std::uint64_t> max_session_count;
  std::optional<std::uint64_t> session_count;
  std::optional<std::uint64_t> max_rw_session_count;
  std::optional<std::uint64_t> rw_session_count;
  std::uint64_t min_pin_length = 0;
  std::uint64_t max_pin_length = 0;
  Pkcs11Version hardware_version;
  Pkcs11Version firmware_version;
};

// C_GetMechanismInfo of one mechanism. Key sizes are in bits or bytes depending on the
// mechanism (PKCS#11 v2.40 §5.5).
struct Pkcs11MechanismInfo {
  std::uint64_t type = 0;  // the CKM_* value
  std::string name;        // "CKM_AES_GCM", or "CKM_VENDOR_DEFINED+0x..." / "CKM_0x..."
  std::uint64_t min_key_size = 0;
  std::uint64_t max_key_size = 0;
  std::uint64_t flags = 0;  // the CKF_* bits; mechanism_flag_names() spells them
};

struct Pkcs11ModuleInfo {
  std::filesystem::path module_path;  // as the loader resolved it
  Pkcs11LibraryInfo library;
  std::vector<Pkcs11TokenInfo> tokens;          // one per slot holding a token
  std::optional<std::uint64_t> selected_slot;   // set when the config names a token
  std::vector<Pkcs11MechanismInfo> mechanisms;  // of the selected token; empty without one
};

// Loads the config's module (library_path, or the token URI's module-path, under the same path
// rules as a backend) and describes it and its tokens. When the config names a token (slot_id,
// token_label, token_serial or token_uri), validates the config first and selects the token,
// so that a wrong selector fails before anything is described, then lists its mechanisms.
// Errors: ConfigInvalid, LibraryLoad, LibraryPathUnprotected, NotAPkcs11Module, TokenNotFound,
// and the token's failures while describing.
[[nodiscard]] CRATON_HSM_API Result<Pkcs11ModuleInfo> describe_pkcs11_module(
    const Pkcs11PassthroughConfig& config);

// The URI naming `token` by token, manufacturer, serial and model, as `p11tool --list-tokens`
// prints it and Pkcs11Backend::token_uri() writes it: as a config's token_uri it selects that
// token (slot ids are left out: they move when tokens are added).
[[nodiscard]] CRATON_HSM_API Pkcs11Uri token_uri_of(const Pkcs11TokenInfo& token);

// The names of the CKF_* token flags set in `flags` ("RNG", "LOGIN_REQUIRED", ...), in bit
// order; bits without a name in PKCS#11 v2.40 §3.2 are left out.
[[nodiscard]] CRATON_HSM_API std::vector<std::string_view> token_flag_names(std::uint64_t flags);
// The same for mechanism flags ("ENCRYPT", "SIGN", "EC_NAMEDCURVE", ...; v2.40 §3.4 less
// CKF_EXTENSION, CKF_EC_F_2M and CKF_EC_ECPARAMETERS).
[[nodiscard]] CRATON_HSM_API std::vector<std::string_view> mechanism_flag_names(
    std::uint64_t flags);

}  // namespace craton::hsm
