// SPDX-License-Identifier: Apache-2.0
// The templates the baseline creates its keys with: the same attributes the passthrough
// backend imports with, so a cache miss costs both sides the same token work.
#pragma once

#include <string_view>

#include "bench/raw/raw_token.h"
#include "keys/key_material.h"
#include "pkcs11/session/attributes.h"

namespace craton::hsm::bench::raw {

using pkcs11::AttributeTemplate;

// Fills `tmpl` for `material` used by `op` with add_key_attributes: CKA_TOKEN false (true with
// CKA_LABEL `token_label` when that is not empty), CKA_SENSITIVE true and CKA_EXTRACTABLE false
// for secret and private keys, CKA_PRIVATE as `private_object`, the usages `op` needs true and
// the class's other usages false. Borrows the material's bytes. Errors: KeyTypeInconsistent for
// RSA and Ed25519 public keys, which no baseline case stores.
[[nodiscard]] Result<void> key_template(AttributeTemplate& tmpl, const KeyMaterial& material,
                                        RawOp op, bool private_object,
                                        std::string_view token_label = {});

}  // namespace craton::hsm::bench::raw
