// SPDX-License-Identifier: Apache-2.0
// Reading an existing private or secret key from a file for `import`: PKCS#8, SEC1 and PKCS#1
// private keys in PEM or DER, raw AES key bytes, and X.509 certificates.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>
#include <craton/hsm/keys.h>
#include <craton/hsm/secret.h>

#include <string_view>

namespace craton::hsm::cli {

// The key `content` holds, validated by the Key factories (RSA 2048..8192 bits, EC P-256 and
// P-384, Ed25519). PEM is recognised by its BEGIN line ("PRIVATE KEY", "EC PRIVATE KEY",
// "RSA PRIVATE KEY"); anything else is read as DER (PKCS#8, SEC1 or PKCS#1), which must be
// one whole structure. `name` is the input's name for messages. Key bytes never appear in an
// error, and every copy of them made here is wiped. Errors: InvalidArgument for an empty,
// truncated or unreadable input, an encrypted key (decrypt it into a pipe:
// `openssl pkey -in k.pem | craton-hsm import --in -`), a public key or certificate given as
// a private key; KeyTypeInconsistent for a key type or curve this library does not use;
// KeySizeRange and InvalidArgument from the factories (an RSA key under 2048 bits).
[[nodiscard]] Result<Key> parse_private_key_file(const SecretBytes& content, std::string_view name);

// The DER of the certificate a PEM ("BEGIN CERTIFICATE") or DER file holds; the DER itself is
// checked by the backend (import_certificate). Errors: InvalidArgument for an empty input, a
// PEM block of another kind (a private key is refused by name, never echoed).
[[nodiscard]] Result<Bytes> parse_certificate_file(ByteView content, std::string_view name);

// Raw AES key bytes: 16, 24 or 32 bytes, nothing else. Errors: KeySizeRange.
[[nodiscard]] Result<Key> parse_raw_aes_file(const SecretBytes& content, std::string_view name);

}  // namespace craton::hsm::cli
