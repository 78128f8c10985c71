// SPDX-License-Identifier: Apache-2.0
// Import by unwrap: storing a secret or private key on a token that refuses to take key values
// in the clear with C_CreateObject (Luna, CloudHSM, nShield in FIPS mode), or where
// import_method = "unwrap" says so. docs/import-by-unwrap.md has the design and its argument.
#pragma once

#include <craton/hsm/error.h>

#include "backends/pkcs11/capabilities.h"
#include "backends/pkcs11/transport_key.h"
#include "keys/key_material.h"
#include "pkcs11/pool/session_pool.h"
#include "pkcs11/session/key_template.h"

namespace craton::hsm::pkcs11 {

// What an unwrap import needs from its backend.
struct UnwrapImportContext {
  const Capabilities& capabilities;
  TransportKeys& transport;
  std::uint64_t generation;  // the pool's, for TransportKeys::get
  bool private_objects;      // CKA_PRIVATE on the transport and one-time keys
};

// Makes the object create_key_object would make, through C_UnwrapKey instead:
//  1. the session's transport key (TransportKeys: RSA-3072 made on the token, private half
//     unwrap-only, sensitive, non-extractable) is made or reused;
//  2. the host draws a one-time AES-256 key (OpenSSL RNG, wiping storage), encrypts it to the
//     transport key's public half with RSA-OAEP (SHA-256 where the token does OAEP-SHA-256,
//     else SHA-1), and C_UnwrapKey(CKM_RSA_PKCS_OAEP) makes it on the token as a session
//     secret key that may only unwrap, sensitive and non-extractable;
//  3. the host wraps the key (private keys as PKCS#8 DER, secret keys as their raw bytes) under
//     the one-time key with AES-KWP (RFC 5649), or AES-KW (RFC 3394) for a secret key whose
//     length is a multiple of 8 where the token has no RFC 5649 unwrap, and C_UnwrapKey makes
//     the target with the template create_key_object would have used, minus the values;
//  4. the one-time key is destroyed whatever happened (ObjectGuard).
// A transport key whose handle the token calls invalid is made again once and the import
// retried. Nothing outlives the call on the token but the target (and the transport key, a
// session object). Before any token call: MechanismUnsupported when the token keeps no session
// objects, or lacks RSA key-pair generation, CKM_RSA_PKCS_OAEP unwrap or an AES unwrap that
// fits the key (naming the token and why); InvalidArgument for a public key. Otherwise the
// mapped failures of C_GenerateKeyPair and C_UnwrapKey.
[[nodiscard]] Result<CK_OBJECT_HANDLE> unwrap_key_object(Lease& lease, const KeyMaterial& material,
                                                         const ObjectOptions& options,
                                                         const UnwrapImportContext& context);

}  // namespace craton::hsm::pkcs11
