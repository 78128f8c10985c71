// SPDX-License-Identifier: Apache-2.0
// The two halves of a resident key pair: which public objects belong to a private key, and
// what destroying a key removes.
#pragma once

#include <craton/hsm/resident_keys.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {

// The public objects of the pair of `private_key`, which has this id and label: those sharing
// the id, narrowed to the label when the id alone does not name one pair (several private or
// several public keys carry it, as other tools may leave them), and then to the private key's
// key type and curve, so that a private key never claims another pair's public half. Empty
// without an id.
[[nodiscard]] Result<std::vector<CK_OBJECT_HANDLE>> public_halves_of(
    Lease& lease, CK_OBJECT_HANDLE private_key, const std::vector<std::uint8_t>& id,
    const std::string& label);

// What destroy_key removes for `ref`: the one key object it names and, for a private key, the
// public objects of its pair (public_halves_of). Errors: those of find_one_key_object;
// KeyFunctionNotPermitted when any of them is not destroyable (CKA_DESTROYABLE false), so
// that nothing is destroyed rather than half a pair.
[[nodiscard]] Result<std::vector<CK_OBJECT_HANDLE>> objects_to_destroy(Lease& lease,
                                                                       const KeyRef& ref);

}  // namespace craton::hsm::pkcs11
