// SPDX-License-Identifier: Apache-2.0
// Reading and rendering the attribute table of one object.
#include "backends/pkcs11/object_attributes.h"

#include <cstring>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/hex.h"
#include "pkcs11/session/object_search.h"
#include "pkcs11/session/readback.h"

namespace craton::hsm::pkcs11 {
namespace {

enum class Shape : std::uint8_t { Bool, Number, Class, KeyType, CertType, Text, Bytes };

struct AttributeSpec {
  CK_ATTRIBUTE_TYPE type;
  std::string_view name;
  Shape shape;
  bool key_secret = false;  // a secret part of a private or secret key: never read
};

// PKCS#11 v2.40 §4 (common, storage, key, certificate and data object attributes), §2.1 (RSA)
// and §2.3 (EC); in the order pkcs11-tool users know from `--list-objects`.
constexpr AttributeSpec kAttributes[] = {
    {CKA_CLASS, "CKA_CLASS", Shape::Class},
    {CKA_TOKEN, "CKA_TOKEN", Shape::Bool},
    {CKA_PRIVATE, "CKA_PRIVATE", Shape::Bool},
    {CKA_MODIFIABLE, "CKA_MODIFIABLE", Shape::Bool},
    {CKA_COPYABLE, "CKA_COPYABLE", Shape::Bool},
    {CKA_DESTROYABLE, "CKA_DESTROYABLE", Shape::Bool},
    {CKA_LABEL, "CKA_LABEL", Shape::Text},
    {CKA_ID, "CKA_ID", Shape::Bytes},
    {CKA_KEY_TYPE, "CKA_KEY_TYPE", Shape::KeyType},
    {CKA_LOCAL, "CKA_LOCAL", Shape::Bool},
    {CKA_KEY_GEN_MECHANISM, "CKA_KEY_GEN_MECHANISM", Shape::Number},
    {CKA_SENSITIVE, "CKA_SENSITIVE", Shape::Bool},
    {CKA_ALWAYS_SENSITIVE, "CKA_ALWAYS_SENSITIVE", Shape::Bool},
    {CKA_EXTRACTABLE, "CKA_EXTRACTABLE", Shape::Bool},
    {CKA_NEVER_EXTRACTABLE, "CKA_NEVER_EXTRACTABLE", Shape::Bool},
    {CKA_ENCRYPT, "CKA_ENCRYPT", Shape::Bool},
    {CKA_DECRYPT, "CKA_DECRYPT", Shape::Bool},
    {CKA_SIGN, "CKA_SIGN", Shape::Bool},
    {CKA_VERIFY, "CKA_VERIFY", Shape::Bool},
    {CKA_WRAP, "CKA_WRAP", Shape::Bool},
    {CKA_UNWRAP, "CKA_UNWRAP", Shape::Bool},
    {CKA_DERIVE, "CKA_DERIVE", Shape::Bool},
    {CKA_ALWAYS_AUTHENTICATE, "CKA_ALWAYS_AUTHENTICATE", Shape::Bool},
    {CKA_VALUE_LEN, "CKA_VALUE_LEN", Shape::Number},
    {CKA_CHECK_VALUE, "CKA_CHECK_VALUE", Shape::Bytes},
    {CKA_MODULUS_BITS, "CKA_MODULUS_BITS", Shape::Number},
    {CKA_MODULUS, "CKA_MODULUS", Shape::Bytes},
    {CKA_PUBLIC_EXPONENT, "CKA_PUBLIC_EXPONENT", Shape::Bytes},
    {CKA_PRIVATE_EXPONENT, "CKA_PRIVATE_EXPONENT", Shape::Bytes, true},
    {CKA_PRIME_1, "CKA_PRIME_1", Shape::Bytes, true},
    {CKA_PRIME_2, "CKA_PRIME_2", Shape::Bytes, true},
    {CKA_EXPONENT_1, "CKA_EXPONENT_1", Shape::Bytes, true},
    {CKA_EXPONENT_2, "CKA_EXPONENT_2", Shape::Bytes, true},
    {CKA_COEFFICIENT, "CKA_COEFFICIENT", Shape::Bytes, true},
    {CKA_EC_PARAMS, "CKA_EC_PARAMS", Shape::Bytes},
    {CKA_EC_POINT, "CKA_EC_POINT", Shape::Bytes},
    {CKA_CERTIFICATE_TYPE, "CKA_CERTIFICATE_TYPE", Shape::CertType},
    {CKA_TRUSTED, "CKA_TRUSTED", Shape::Bool},
    {CKA_CERTIFICATE_CATEGORY, "CKA_CERTIFICATE_CATEGORY", Shape::Number},
    {CKA_SUBJECT, "CKA_SUBJECT", Shape::Bytes},
    {CKA_ISSUER, "CKA_ISSUER", Shape::Bytes},
    {CKA_SERIAL_NUMBER, "CKA_SERIAL_NUMBER", Shape::Bytes},
    {CKA_APPLICATION, "CKA_APPLICATION", Shape::Text},
    {CKA_OBJECT_ID, "CKA_OBJECT_ID", Shape::Bytes},
    {CKA_VALUE, "CKA_VALUE", Shape::Bytes, true},
};

constexpr std::string_view kSensitive = "<sensitive>";

struct Named {
  CK_ULONG value;
  std::string_view name;
};
constexpr Named kClasses[] = {{CKO_DATA, "CKO_DATA"},
                              {CKO_CERTIFICATE, "CKO_CERTIFICATE"},
                              {CKO_PUBLIC_KEY, "CKO_PUBLIC_KEY"},
                              {CKO_PRIVATE_KEY, "CKO_PRIVATE_KEY"},
                              {CKO_SECRET_KEY, "CKO_SECRET_KEY"}};
constexpr Named kKeyTypes[] = {{CKK_RSA, "CKK_RSA"},
                               {CKK_EC, "CKK_EC"},
                               {CKK_EC_EDWARDS, "CKK_EC_EDWARDS"},
                               {CKK_AES, "CKK_AES"},
                               {CKK_GENERIC_SECRET, "CKK_GENERIC_SECRET"},
                               {CKK_DES3, "CKK_DES3"}};
constexpr Named kCertTypes[] = {
    {CKC_X_509, "CKC_X_509"}, {CKC_X_509_ATTR_CERT, "CKC_X_509_ATTR_CERT"}, {CKC_WTLS, "CKC_WTLS"}};

template <std::size_t N>
std::string name_of(const Named (&table)[N], CK_ULONG value) {
  for (const Named& entry : table) {
    if (entry.value == value) return std::string(entry.name);
  }
  return fmt::format("0x{:x}", value);
}

std::string render(const AttributeSpec& spec, const std::vector<std::uint8_t>& bytes) {
  CK_ULONG number = 0;
  if (spec.shape != Shape::Text && spec.shape != Shape::Bytes && spec.shape != Shape::Bool) {
    if (bytes.size() != sizeof number) return to_hex(bytes);
    std::memcpy(&number, bytes.data(), sizeof number);
  }
  switch (spec.shape) {
    case Shape::Bool:
      return bytes.size() == 1 && bytes[0] != CK_FALSE ? "true" : "false";
    case Shape::Number:
      return number == CK_UNAVAILABLE_INFORMATION ? "<unavailable>" : std::to_string(number);
    case Shape::Class:
      return name_of(kClasses, number);
    case Shape::KeyType:
      return name_of(kKeyTypes, number);
    case Shape::CertType:
      return name_of(kCertTypes, number);
    case Shape::Text:
      return {bytes.begin(), bytes.end()};
    case Shape::Bytes:
      break;
  }
  return to_hex(bytes);
}

// The object has no such attribute (CKR_ATTRIBUTE_TYPE_INVALID).
bool value_absent(const HsmError& error) {
  return error.code() == ErrorCode::AttributeInvalid;
}

}  // namespace

Result<std::vector<ObjectAttribute>> read_object_attributes(Lease& lease, CK_OBJECT_HANDLE object,
                                                            CK_ULONG cko) {
  const bool holds_secrets = cko == CKO_PRIVATE_KEY || cko == CKO_SECRET_KEY;
  std::vector<ObjectAttribute> attributes;
  for (const AttributeSpec& spec : kAttributes) {
    if (spec.key_secret && holds_secrets) {
      // Only its length is asked for (no buffer, so no bytes can come back): a token that marks
      // the key non-sensitive would hand the value itself over.
      auto length = readback::attribute_length(lease, object, spec.type);
      if (!length && value_absent(length.error())) continue;
      if (!length && length.error().code() != ErrorCode::AttributeSensitive) {
        return std::unexpected(std::move(length).error());
      }
      attributes.push_back({std::string(spec.name), std::string(kSensitive)});
      continue;
    }
    auto value = read_public_attribute(lease, object, spec.type);
    if (!value && value.error().code() == ErrorCode::AttributeSensitive) {
      attributes.push_back({std::string(spec.name), std::string(kSensitive)});
      continue;
    }
    if (!value && value_absent(value.error())) continue;
    if (!value) return std::unexpected(std::move(value).error());
    attributes.push_back({std::string(spec.name), render(spec, *value)});
  }
  return attributes;
}

}  // namespace craton::hsm::pkcs11
