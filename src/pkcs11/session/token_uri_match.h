// SPDX-License-Identifier: Apache-2.0
// Whether a token (and its slot and library) has every attribute a PKCS#11 URI sets.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/pkcs11_uri.h>

#include "pkcs11/loader/module.h"
#include "pkcs11/session/token.h"

namespace craton::hsm::pkcs11 {

// True when every token attribute (token, manufacturer, serial, model) and slot attribute
// (slot-id, slot-description, slot-manufacturer) the URI sets equals the token's field, both
// compared without trailing blanks (PKCS#11 pads them). Calls C_GetSlotInfo only when the URI
// names a slot text attribute. Errors: those of describe_slot.
[[nodiscard]] Result<bool> uri_matches_token(const Module& module, const Pkcs11Uri& uri,
                                             const TokenDescription& token);

// Compares the URI's library attributes with C_GetInfo (a "library-version=M" means M.0, as in
// p11-kit). No call when the URI sets none. Errors: TokenNotFound naming the module's values
// when one differs; those of describe_library.
[[nodiscard]] Result<void> check_uri_library(const Module& module, const Pkcs11Uri& uri);

}  // namespace craton::hsm::pkcs11
