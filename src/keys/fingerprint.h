// SPDX-License-Identifier: Apache-2.0
// Keyed, domain-separated key fingerprints: what caches and budgets are indexed by.
#pragma once

#include <craton/hsm/secret.h>

#include "keys/fingerprint_memo.h"
#include "keys/key_material.h"

namespace craton::hsm::keys {

// The bytes that identify a key: a per-kind tag, then each defining part as a 4-byte
// big-endian length and the part (e.g. RSA public = tag ‖ len(n) ‖ n ‖ len(e) ‖ e), so no two
// kinds and no two splits of one concatenation can collide. Contains secrets: wiped on free.
// Resident keys are identified by their token's serial and their object's unique id (or id).
[[nodiscard]] SecretBytes fingerprint_input(const KeyMaterial& material);

// HMAC-SHA-256 of fingerprint_input under `secret` (a random per-backend key), so that a
// fingerprint in memory or in a log reveals nothing about the key bytes.
[[nodiscard]] Fingerprint keyed_fingerprint(const KeyMaterial& material, const SecretBytes& secret);

}  // namespace craton::hsm::keys
