// SPDX-License-Identifier: Apache-2.0
// Slots, tokens and mechanisms as plain value types, and the selection of one token.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/pkcs11_info.h>
#include <craton/hsm/pkcs11_uri.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "pkcs11/loader/module.h"

namespace craton::hsm::pkcs11 {

// The public value types (craton/hsm/pkcs11_info.h) under the names this layer uses.
using Version = Pkcs11Version;
using LibraryDescription = Pkcs11LibraryInfo;
using TokenDescription = Pkcs11TokenInfo;
using MechanismDescription = Pkcs11MechanismInfo;

// C_GetSlotInfo's text fields, trimmed like the token's.
struct SlotDescription {
  std::uint64_t slot_id = 0;
  std::string description;
  std::string manufacturer;
};

// How the caller names its token. Slot ids move when tokens are added; labels and
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

}  // namespace craton::hsm::pkcs11
