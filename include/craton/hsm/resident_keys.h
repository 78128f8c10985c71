// SPDX-License-Identifier: Apache-2.0
// Token-resident keys: objects that live on the token (CKA_TOKEN true), referred to by label
// and/or id, and used through the same CryptoBackend operations as key material.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/export.h>
#include <craton/hsm/keys.h>
#include <craton/hsm/pkcs11_uri.h>
#include <craton/hsm/schemes.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace craton::hsm {

// What a resident key may be used for; each flag becomes one CKA_* usage attribute, every
// other usage attribute is set false (on a token that refuses explicit false usages, left to
// the token and read back: Key::extra_usages, Pkcs11PassthroughConfig::strict_usages).
struct CRATON_HSM_API KeyUsages {
  bool sign = false;     // CKA_SIGN (private keys, HMAC keys)
  bool verify = false;   // CKA_VERIFY (public keys, HMAC keys)
  bool encrypt = false;  // CKA_ENCRYPT (AES keys, RSA public keys)
  bool decrypt = false;  // CKA_DECRYPT (AES keys, RSA private keys)
  bool wrap = false;     // CKA_WRAP (AES keys)
  bool unwrap = false;   // CKA_UNWRAP (AES keys)
  bool derive = false;   // CKA_DERIVE (EC private keys)

  // The natural usages of an algorithm: sign+verify for RSA/EC/Ed25519/HMAC, encrypt+decrypt
  // for AES (wrap/unwrap and derive must be asked for).
  [[nodiscard]] static KeyUsages defaults_for(KeyAlgorithm algorithm) noexcept;
  // "sign,verify,decrypt". Errors: InvalidArgument naming the unknown word.
  [[nodiscard]] static Result<KeyUsages> parse(std::string_view comma_separated);
  // The flags that are set, comma-separated, in declaration order ("" when none).
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const KeyUsages&, const KeyUsages&) = default;
};

// A reference to resident objects: label, id, or both, optionally narrowed to one class.
// With no class, a private or secret key is meant (the public half of a pair shares its id).
struct CRATON_HSM_API KeyRef {
  std::optional<std::string> label;             // CKA_LABEL
  std::optional<std::vector<std::uint8_t>> id;  // CKA_ID
  std::optional<ObjectClass> object_class;
  // For objects no label and id name alone (none, or namesakes): the handle list_keys
  // reported (ResidentKeyInfo::handle). PKCS#11 promises a handle only within one application
  // and only while the object exists; a token may number its objects differently in the next
  // process. So a handle is checked before use: it must name a token object of exactly this
  // class (required) whose label and id are exactly the ones given here (absent: the object
  // has none), among the token objects a fresh enumeration finds; otherwise KeyNotFound.
  // Never part of to_uri (RFC 7512 has no handle). (Initialised so that designated initializers
  // written before it existed need not name it.)
  std::optional<std::uint64_t> handle{};

  // From a parsed URI's object, id and type. Errors: InvalidArgument when the URI names no
  // label and no id, a class that is not a key (cert, data), or a pin-source (the login is
  // the backend's; the path is not repeated).
  [[nodiscard]] static Result<KeyRef> from_uri(const Pkcs11Uri& uri);
  // Parses "pkcs11:..." (see Pkcs11Uri::parse) and then from_uri.
  [[nodiscard]] static Result<KeyRef> parse_uri(std::string_view text);
  // "pkcs11:object=signing-1;id=%01;type=private", without token attributes.
  [[nodiscard]] std::string to_uri() const;
  friend bool operator==(const KeyRef&, const KeyRef&) = default;
};

CRATON_HSM_API std::ostream& operator<<(std::ostream& out, const KeyRef& ref);

// What to generate on the token. Private/secret parts are CKA_SENSITIVE and, unless
// `extractable`, CKA_EXTRACTABLE false; they never leave the token.
struct CRATON_HSM_API ResidentKeySpec {
  KeyAlgorithm algorithm = KeyAlgorithm::EcP256;
  std::string label;                // required, 1..128 bytes of UTF-8
  std::vector<std::uint8_t> id;     // required, 1..64 bytes
  std::optional<KeyUsages> usages;  // default: KeyUsages::defaults_for(algorithm)
  bool extractable = false;         // may be wrapped out (CKA_EXTRACTABLE); never plaintext
};

// One object as list_keys reports it.
struct CRATON_HSM_API ResidentKeyInfo {
  std::string label;
  std::vector<std::uint8_t> id;
  ObjectClass object_class = ObjectClass::SecretKey;
  KeyKind kind = KeyKind::Aes;
  std::size_t bits = 0;  // AES/HMAC key, RSA modulus, EC field size
  std::optional<EcCurve> curve;
  KeyUsages usages;
  // Usages among `usages` this library never gives a key of this kind (an AES key that
  // derives, an EC key that unwraps): a token that granted more than was asked. The token does
  // not remember what was asked, so a usage the kind may have (CKA_DERIVE on an EC key) shows
  // only in the generation's result (Key::extra_usages) and audit record.
  KeyUsages unexpected_usages;
  bool local = false;                    // CKA_LOCAL: generated on the token
  bool extractable = false;              // CKA_EXTRACTABLE
  bool sensitive = false;                // CKA_SENSITIVE (private and secret keys)
  std::optional<std::string> unique_id;  // CKA_UNIQUE_ID when the token offers it
  std::string uri;                       // "pkcs11:token=...;object=...;id=...;type=..."
  // The object's handle in this process (KeyRef::handle), and whether `uri` alone names this
  // object and no other; when it does not (no label and no id, or namesakes of its class), it
  // is addressed by uri plus handle.
  std::uint64_t handle = 0;
  bool needs_handle = false;
};

// An X.509 certificate to store on the token (import_certificate).
struct CRATON_HSM_API CertificateSpec {
  std::string label;             // required, 1..128 bytes, no other certificate has it
  std::vector<std::uint8_t> id;  // required, 1..64 bytes; by convention its key pair's id
};

// Which token objects list_objects reports: every attribute set narrows (label and id match
// exactly, as in a URI).
struct CRATON_HSM_API ObjectQuery {
  std::optional<ObjectClass> object_class;
  std::optional<std::string> label;
  std::optional<std::vector<std::uint8_t>> id;
  bool attributes = false;  // fill TokenObjectInfo::attributes
};

// One attribute as list_objects renders it: name "CKA_MODULUS_BITS", value "2048". Booleans
// read "true"/"false", numbers decimal (CKA_CLASS, CKA_KEY_TYPE and CKA_CERTIFICATE_TYPE by
// their CKO_/CKK_/CKC_ name), CKA_LABEL and CKA_APPLICATION as text, other byte strings as
// lowercase hex. "<sensitive>" for a value the token will not reveal, and for the secret parts
// of private and secret keys (CKA_VALUE, CKA_PRIVATE_EXPONENT, the primes...), which are
// never read, whatever CKA_SENSITIVE says.
struct CRATON_HSM_API ObjectAttribute {
  std::string name;
  std::string value;
  friend bool operator==(const ObjectAttribute&, const ObjectAttribute&) = default;
};

// One token object (key, certificate or data object) as list_objects reports it.
struct CRATON_HSM_API TokenObjectInfo {
  ObjectClass object_class = ObjectClass::Data;
  std::string label;
  std::vector<std::uint8_t> id;
  std::string uri;            // as ResidentKeyInfo::uri
  std::uint64_t handle = 0;   // as ResidentKeyInfo::handle
  bool needs_handle = false;  // as ResidentKeyInfo::needs_handle
  // Keys: the description list_keys gives.
  std::optional<ResidentKeyInfo> key;
  // Certificates: "X.509" (CKC_X_509) or the CKC_ value in hex; data objects: CKA_APPLICATION.
  std::string kind;
  std::size_t value_bytes = 0;              // certificates and data objects: the size of CKA_VALUE
  std::vector<ObjectAttribute> attributes;  // with ObjectQuery::attributes, in a fixed order
};

}  // namespace craton::hsm

template <>
struct fmt::formatter<craton::hsm::KeyRef> : fmt::formatter<std::string_view> {
  auto format(const craton::hsm::KeyRef& ref, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(ref.to_uri(), ctx);
  }
};
