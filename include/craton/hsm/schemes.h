// SPDX-License-Identifier: Apache-2.0
// The value types that name what an operation does: hashes, signature schemes, encodings,
// key-wrap and key-generation choices, and the typed outcome of a verification.
#pragma once

#include <craton/hsm/export.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace craton::hsm {

enum class HashAlg : std::uint8_t { Sha224, Sha256, Sha384, Sha512 };

// Output length in bytes (28, 32, 48, 64).
[[nodiscard]] CRATON_HSM_API std::size_t digest_size(HashAlg hash) noexcept;
// The largest digest_size (SHA-512): room for any digest.
inline constexpr std::size_t kMaxDigestSize = 64;
[[nodiscard]] CRATON_HSM_API std::string_view hash_name(HashAlg hash) noexcept;

// Every signature scheme, named by algorithm and hash. PSS uses MGF1 with the same hash and a
// salt as long as the hash.
enum class SignScheme : std::uint8_t {
  RsaPkcs1v15Sha256,
  RsaPkcs1v15Sha384,
  RsaPkcs1v15Sha512,
  RsaPssSha256,
  RsaPssSha384,
  RsaPssSha512,
  EcdsaP256Sha256,
  EcdsaP384Sha384,
  Ed25519,
};

[[nodiscard]] CRATON_HSM_API std::string_view scheme_name(SignScheme scheme) noexcept;
// The hash a scheme signs with; Ed25519 hashes internally and has none to prehash with.
[[nodiscard]] CRATON_HSM_API bool scheme_has_prehash(SignScheme scheme) noexcept;
[[nodiscard]] CRATON_HSM_API HashAlg scheme_hash(SignScheme scheme) noexcept;

// ECDSA signature encodings: PKCS#11's native r‖s (IEEE P1363), or the ASN.1 DER SEQUENCE
// that X.509, TLS and OpenSSL use. Other schemes have a single encoding and ignore this.
enum class SignatureEncoding : std::uint8_t { Raw, Der };

// AES key wrap: RFC 3394 (KW, input a multiple of 8 bytes) or RFC 5649 (KWP, any length).
enum class KeyWrapScheme : std::uint8_t { AesKw, AesKwp };

enum class EcCurve : std::uint8_t { P256, P384 };

enum class KeyAlgorithm : std::uint8_t {
  Aes128,
  Aes192,
  Aes256,
  Rsa2048,
  Rsa3072,
  Rsa4096,
  EcP256,
  EcP384,
  Ed25519,
  // Generic-secret HMAC keys of 32 and 64 bytes: the output size of the hash they are meant
  // for (SHA-256, SHA-512), which RFC 2104 §3 recommends as the minimum key length.
  Hmac256,
  Hmac512,
};

[[nodiscard]] CRATON_HSM_API std::string_view key_algorithm_name(KeyAlgorithm algorithm) noexcept;

// A verification either completed and the signature or tag is Valid or Invalid, or it could
// not be decided, which is an HsmError and never Invalid.
enum class VerifyOutcome : std::uint8_t { Valid, Invalid };

}  // namespace craton::hsm
