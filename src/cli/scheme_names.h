// SPDX-License-Identifier: Apache-2.0
// The names operators type for schemes, hashes and key types, parsed from one table each.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/schemes.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace craton::hsm::cli {

// "ecdsa-p256-sha256", "rsa-pkcs1-sha256", "rsa-pss-sha384", "ed25519", ... and, as aliases,
// the library's scheme_name() spellings ("RSA-PKCS1v15-SHA256"). Case-insensitive.
// Errors: InvalidArgument listing the accepted names.
[[nodiscard]] Result<SignScheme> parse_sign_scheme(std::string_view name);
// "sha256", "sha384", "sha512" (and hash_name() spellings such as "SHA-256").
[[nodiscard]] Result<HashAlg> parse_hash(std::string_view name);
// "kw" (RFC 3394) or "kwp" (RFC 5649).
[[nodiscard]] Result<KeyWrapScheme> parse_wrap_scheme(std::string_view name);
// "der" or "raw" (r‖s).
[[nodiscard]] Result<SignatureEncoding> parse_signature_format(std::string_view name);

// The symmetric and asymmetric algorithms `encrypt`/`decrypt` offer.
enum class CipherKind : std::uint8_t { AesGcm, AesCbcPad, AesCtr, RsaOaep };
struct CipherChoice {
  CipherKind kind = CipherKind::AesGcm;
  HashAlg oaep_hash = HashAlg::Sha256;  // for RSA-OAEP
};
// "aes-gcm", "aes-cbc-pad", "aes-ctr" or "rsa-oaep-sha256|sha384|sha512".
[[nodiscard]] Result<CipherChoice> parse_cipher(std::string_view name);

// keygen's --type/--size/--curve. `size` and `curve` are optional: AES defaults to 256 bits,
// RSA to 3072, HMAC to 256, EC to P-256. A size or curve that does not fit the type is refused.
[[nodiscard]] Result<KeyAlgorithm> parse_key_algorithm(std::string_view type,
                                                       std::optional<unsigned> size,
                                                       const std::optional<std::string>& curve);

// Comma-separated lists of the names above, for help texts.
[[nodiscard]] std::string sign_scheme_names();
[[nodiscard]] std::string hash_names();

}  // namespace craton::hsm::cli
