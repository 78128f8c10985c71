// SPDX-License-Identifier: Apache-2.0
// Key: a reference to key material the caller holds (the backend imports it into the token
// on first use), or to a key that lives on a token (a resident key, see
// resident_keys.h and pkcs11_backend.h), accepted by the same operations.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/export.h>
#include <craton/hsm/schemes.h>
#include <craton/hsm/secret.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace craton::hsm {

struct KeyUsages;  // resident_keys.h

enum class KeyKind : std::uint8_t {
  Aes,
  Hmac,
  RsaPrivate,
  RsaPublic,
  EcPrivate,
  EcPublic,
  Ed25519Private,
  Ed25519Public,
};

[[nodiscard]] CRATON_HSM_API std::string_view key_kind_name(KeyKind kind) noexcept;

// Where the material came from. GeneratedInSoftware appears only when the caller enabled
// allow_software_keygen_fallback and the token lacked the mechanism.
enum class KeyOrigin : std::uint8_t { Imported, GeneratedOnToken, GeneratedInSoftware };

class KeyMaterial;  // internal: parsed, validated, immutable

// A cheap, copyable handle to immutable key material. Private and secret bytes live only in
// zeroizing storage, wiped when the last handle goes. Printing a Key shows its kind and size,
// never its bytes. Thread-safety: immutable, safe to share between threads.
class CRATON_HSM_API Key {
 public:
  // AES-128/192/256: 16, 24 or 32 bytes. Errors: KeySizeRange.
  static Result<Key> aes(std::span<const std::uint8_t> bytes);
  // HMAC key bytes, 1..1024. Tokens may demand more (SoftHSM2: at least the hash length).
  static Result<Key> hmac(std::span<const std::uint8_t> bytes);
  // RSA private key as PKCS#8 DER, checked for consistency (RSA_check_key), 2048..8192 bits,
  // public exponent >= 65537. Errors: InvalidArgument, KeySizeRange.
  static Result<Key> rsa_private_pkcs8(std::span<const std::uint8_t> der);
  // RSA public key as SubjectPublicKeyInfo DER, or as big-endian modulus and exponent. The
  // same policy as for private keys: 2048..8192 bits, odd public exponent >= 65537.
  static Result<Key> rsa_public_spki(std::span<const std::uint8_t> der);
  static Result<Key> rsa_public(std::span<const std::uint8_t> modulus,
                                std::span<const std::uint8_t> exponent);
  // EC private scalar (big-endian, at most the field size; shorter input is left-padded).
  // Errors: InvalidArgument when zero or not below the group order.
  static Result<Key> ec_private(EcCurve curve, std::span<const std::uint8_t> scalar);
  // EC public point, SEC1 uncompressed (04‖X‖Y) or compressed; must lie on the curve.
  static Result<Key> ec_public(EcCurve curve, std::span<const std::uint8_t> sec1_point);
  // Ed25519 32-byte private seed (RFC 8032) or 32-byte public key.
  static Result<Key> ed25519_private(std::span<const std::uint8_t> seed);
  static Result<Key> ed25519_public(std::span<const std::uint8_t> public_key);

  [[nodiscard]] KeyKind kind() const noexcept;
  [[nodiscard]] std::size_t bits() const noexcept;  // AES/HMAC key, RSA modulus, EC field size
  [[nodiscard]] std::optional<EcCurve> curve() const noexcept;
  [[nodiscard]] KeyOrigin origin() const noexcept;
  [[nodiscard]] bool is_private() const noexcept;  // secret or private material
  // True for a key that lives on a token: its private or secret bytes are not in this process.
  [[nodiscard]] bool is_resident() const noexcept;
  // "pkcs11:token=...;object=...;id=...;type=..." for a resident key, nullopt otherwise.
  [[nodiscard]] std::optional<std::string> resident_uri() const;
  // A resident key as generate_resident_key returned it: the usages the token granted beyond
  // those the spec asked for, read back after generation (tokens may add usages they derive
  // themselves; strict_usages = true refuses such keys instead). Empty for any other Key,
  // including the same key found again later: the token does not remember what was asked.
  [[nodiscard]] KeyUsages extra_usages() const;

  // The public half of an RSA, EC or Ed25519 key (itself for public keys). Errors:
  // InvalidArgument for symmetric keys.
  [[nodiscard]] Result<Key> public_key() const;
  // SubjectPublicKeyInfo DER of the public half.
  [[nodiscard]] Result<std::vector<std::uint8_t>> public_spki_der() const;
  // The private or secret material in its import format (AES/HMAC bytes, PKCS#8 DER, EC
  // scalar, Ed25519 seed). Errors: InvalidArgument for public keys, KeyNotExtractable for
  // resident keys.
  [[nodiscard]] Result<SecretBytes> export_secret() const;

  // "AES-256 key", "EC P-256 private key", ...
  [[nodiscard]] std::string describe() const;

  // For backends: the parsed material.
  [[nodiscard]] const KeyMaterial& material() const noexcept { return *material_; }
  explicit Key(std::shared_ptr<const KeyMaterial> material) : material_(std::move(material)) {}

 private:
  [[nodiscard]] Result<Key> derive_public_key() const;

  std::shared_ptr<const KeyMaterial> material_;
};

CRATON_HSM_API std::ostream& operator<<(std::ostream& out, const Key& key);

}  // namespace craton::hsm

template <>
struct fmt::formatter<craton::hsm::Key> : fmt::formatter<std::string_view> {
  auto format(const craton::hsm::Key& key, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(key.describe(), ctx);
  }
};
