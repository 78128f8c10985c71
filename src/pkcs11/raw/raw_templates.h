// SPDX-License-Identifier: Apache-2.0
// The templates the baseline creates its keys with: the same attributes the passthrough
// backend imports with, so a cache miss costs both sides the same token work.
#pragma once

#include <string_view>

#include "keys/key_material.h"
#include "pkcs11/raw/raw_token.h"
#include "pkcs11/session/attributes.h"

namespace craton::hsm::pkcs11::raw {

// Fills `tmpl` for `material` used by `op`: CKA_TOKEN false (true with CKA_LABEL
// `token_label` when that is not empty; borrowed), CKA_SENSITIVE true and
// CKA_EXTRACTABLE false for secret and private keys, CKA_PRIVATE as `private_object`, the one
// usage `op` needs true and the class's other usages false. Borrows the material's bytes.
// Errors: KeyTypeInconsistent when the key kind does not fit `op`.
[[nodiscard]] Result<void> key_template(AttributeTemplate& tmpl, const KeyMaterial& material,
                                        RawOp op, bool private_object,
                                        std::string_view token_label = {});

}  // namespace craton::hsm::pkcs11::raw
