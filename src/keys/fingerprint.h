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
// Resident keys are the object, not bytes: token serial, label, id, unique id, and the public
// value (pairs) or check value (secret keys), so two objects that share an id or a label never
// share a fingerprint, and an object found again can be compared with the one a Key was made
// from.
[[nodiscard]] SecretBytes fingerprint_input(const KeyMaterial& material);

// HMAC-SHA-256 of fingerprint_input under `secret`, so that a fingerprint in memory or in a
// log reveals nothing about the key bytes.
[[nodiscard]] Fingerprint keyed_fingerprint(const KeyMaterial& material,
                                            const KeySecretBytes& secret);

// The secret every fingerprint of this process is keyed with: random, made on first use, the
// same for every backend, so that one key has one fingerprint (and one GCM budget) in the
// whole process and none outside it. Left out of core dumps like key material.
[[nodiscard]] const KeySecretBytes& process_fingerprint_secret();

}  // namespace craton::hsm::keys
