// SPDX-License-Identifier: Apache-2.0
// Import by unwrap: storing a private key on a token that refuses C_CreateObject of private
// keys (Luna, CloudHSM: the vendor profile's refuses_private_key_create).
#pragma once

#include <craton/hsm/error.h>

#include "backends/pkcs11/capability_table.h"
#include "keys/key_material.h"
#include "pkcs11/pool/session_pool.h"
#include "pkcs11/session/key_template.h"

namespace craton::hsm::pkcs11 {

// Makes the object create_key_object would make, through C_UnwrapKey instead: the key's
// PKCS#8 DER is wrapped on the host (RFC 5649, OpenSSL) under a one-time AES-256 key drawn
// from OpenSSL's RNG, which goes to the token as a session secret key allowed to unwrap only
// (destroyed right after, whatever happens), and C_UnwrapKey makes the private key with the
// same class, type, storage and usage attributes, its values coming from the PKCS#8. The
// mechanism is the AES-KWP unwrap row of `table` (CKM_AES_KEY_WRAP_KWP, or
// CKM_AES_KEY_WRAP_PAD where the vendor profile says it is RFC 5649). The one-time key and the
// DER live in wiping storage only. Errors: InvalidArgument for a key that is not private;
// MechanismUnsupported when the token has no RFC 5649 unwrap (before any token call); the
// mapped failures of C_CreateObject and C_UnwrapKey.
[[nodiscard]] Result<CK_OBJECT_HANDLE> unwrap_key_object(Lease& lease, const KeyMaterial& material,
                                                         const ObjectOptions& options,
                                                         const CapabilityTable& table);

}  // namespace craton::hsm::pkcs11
