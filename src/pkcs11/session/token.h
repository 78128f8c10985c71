// SPDX-License-Identifier: Apache-2.0
// Slots, tokens and mechanisms as plain value types, and the selection of one token.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/pkcs11_uri.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "pkcs11/loader/module.h"

namespace craton::hsm::pkcs11 {

struct Version {
  std::uint8_t major = 0;
  std::uint8_t minor = 0;
};

struct LibraryDescription {
  std::string manufacturer;
  std::string description;
  Version library_version;
  Version cryptoki_version;
};

// C_GetTokenInfo, with the fixed-width blank-padded fields trimmed. Counts that the token
// reports as CK_UNAVAILABLE_INFORMATION or CK_EFFECTIVELY_INFINITE are std::nullopt.
struct TokenDescription {
  std::uint64_t slot_id = 0;
  std::string label;
  std::string manufacturer;
  std::string model;
  std::string serial;
  std::uint64_t flags = 0;
  std::optional<std::uint64_t> max_session_count;
  std::optional<std::uint64_t> session_count;
  std::optional<std::uint64_t> max_rw_session_count;
  std::optional<std::uint64_t> rw_session_count;
  std::uint64_t min_pin_length = 0;
  std::uint64_t max_pin_length = 0;
  Version hardware_version;
  Version firmware_version;
};

// C_GetSlotInfo's text fields, trimmed like the token's.
struct SlotDescription {
  std::uint64_t slot_id = 0;
  std::string description;
  std::string manufacturer;
};

struct MechanismDescription {
  std::uint64_t type = 0;
  std::string name;  // "CKM_AES_GCM", or a vendor/hex rendering
  std::uint64_t min_key_size = 0;
  std::uint64_t max_key_size = 0;
  std::uint64_t flags = 0;
};

// How a configuration names its token. Slot ids move when tokens are added; labels and
// serials do not, so those are what deployments should use.
struct BySlotId {
  std::uint64_t slot_id;
};
struct ByLabel {
  std::string label;
};
struct BySerial {
  std::string serial;
};
// Every token, slot and library attribute the URI sets must match (RFC 7512 §2.4 matching).
struct ByUri {
  Pkcs11Uri uri;
};
using TokenSelector = std::variant<BySlotId, ByLabel, BySerial, ByUri>;

[[nodiscard]] Result<LibraryDescription> describe_library(const Module& module);
// Slots that currently hold a token.
[[nodiscard]] Result<std::vector<std::uint64_t>> slots_with_token(const Module& module);
[[nodiscard]] Result<TokenDescription> describe_token(const Module& module, std::uint64_t slot);
[[nodiscard]] Result<SlotDescription> describe_slot(const Module& module, std::uint64_t slot);
[[nodiscard]] Result<std::vector<TokenDescription>> describe_tokens(const Module& module);
[[nodiscard]] Result<std::vector<MechanismDescription>> describe_mechanisms(const Module& module,
                                                                            std::uint64_t slot);

// The slot holding the selected token. Errors: TokenNotFound, listing the tokens that exist;
// KeyAmbiguous-style duplicates are TokenNotFound too (two tokens with one label). A token
// URI that matches several tokens is ConfigInvalid: the URI is too loose, and only the
// configuration can fix it. A URI whose library attributes do not match the module is
// TokenNotFound.
[[nodiscard]] Result<std::uint64_t> select_token(const Module& module,
                                                 const TokenSelector& selector);

// Names of the CKF_* bits set in a mechanism's flags ("ENCRYPT", "SIGN", ...).
[[nodiscard]] std::vector<std::string_view> mechanism_flag_names(std::uint64_t flags);
// Names of the CKF_* bits set in a token's flags ("LOGIN_REQUIRED", "TOKEN_INITIALIZED", ...).
[[nodiscard]] std::vector<std::string_view> token_flag_names(std::uint64_t flags);

}  // namespace craton::hsm::pkcs11
