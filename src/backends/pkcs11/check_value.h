// SPDX-License-Identifier: Apache-2.0
// Check values of secret keys and possession proofs of private keys: what tells two resident
// keys with the same label and id apart, and proves a key found again is the one a Key was
// made from.
#pragma once

#include <craton/hsm/keys.h>

#include <cstdint>
#include <vector>

#include "keys/key_material.h"
#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {

// A value the token computes with the key as far as its usages allow (8 bytes of AES-ECB of
// a zero block for encrypt, or decrypt; of HMAC-SHA-256 of a fixed string for sign), else
// CKA_CHECK_VALUE when the token keeps one (PKCS#11 v2.40 §4.10): its 3 bytes catch an
// accidental replacement but not a deliberate one (about 2^24 tries find a key that matches).
// Each form carries a tag byte naming how it was obtained, so values of different forms never
// compare equal. Empty when the token offers no way: the key's identity then cannot be proven.
// Reveals nothing usable about the key (a key check value, as payment HSMs print). Errors: device
// and session failures (a refused mechanism or usage only moves on to the next form).
[[nodiscard]] Result<std::vector<std::uint8_t>> secret_check_value(Lease& lease,
                                                                   CK_OBJECT_HANDLE object,
                                                                   KeyKind kind);

// Whether the token object `object` holds the private key of `material` (an EC or Ed25519
// key pair). The public value an object is matched by may be another object's (SoftHSM2's
// private EC and Ed25519 objects carry none; it is read from the public half), and a private
// object replaced beside an unchanged public half would match it: only the key itself can
// show it is the Key's. The token signs a fixed challenge, and the Key's public value must
// verify the signature. A key that may not sign (derive only, or refused by the token) cannot
// show it and is taken on its names and public half: true. Other kinds: true (their values
// are the object's own). Errors: device and session failures.
[[nodiscard]] Result<bool> holds_private_key(Lease& lease, CK_OBJECT_HANDLE object,
                                             const KeyMaterial& material);

}  // namespace craton::hsm::pkcs11
