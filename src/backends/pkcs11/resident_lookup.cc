// SPDX-License-Identifier: Apache-2.0
// Token key objects: search, the one-match rule, and their description as Keys.
#include "backends/pkcs11/resident_lookup.h"

#include "backends/pkcs11/resident_keygen.h"

#include <craton/hsm/backend.h>

#include <algorithm>
#include <span>

#include <fmt/format.h>

#include "backends/pkcs11/check_value.h"
#include "backends/pkcs11/ec_point_attribute.h"
#include "backends/pkcs11/key_import.h"
#include "backends/pkcs11/resident_pairs.h"
#include "keys/fingerprint.h"
#include "keys/key_build.h"
#include "keys/key_resident.h"
#include "pkcs11/session/attributes.h"
#include "pkcs11/session/object_search.h"
#include "pkcs11/session/readback.h"

namespace craton::hsm::pkcs11 {
namespace {

CK_OBJECT_CLASS cko_of(ObjectClass object_class) {
  switch (object_class) {
    case ObjectClass::PrivateKey:
      return CKO_PRIVATE_KEY;
    case ObjectClass::PublicKey:
      return CKO_PUBLIC_KEY;
    case ObjectClass::SecretKey:
      return CKO_SECRET_KEY;
    case ObjectClass::Certificate:
      return CKO_CERTIFICATE;
    case ObjectClass::Data:
      return CKO_DATA;
  }
  return CKO_DATA;
}

std::optional<ObjectClass> object_class_of(CK_ULONG cko) {
  switch (cko) {
    case CKO_PRIVATE_KEY:
      return ObjectClass::PrivateKey;
    case CKO_PUBLIC_KEY:
      return ObjectClass::PublicKey;
    case CKO_SECRET_KEY:
      return ObjectClass::SecretKey;
    default:
      return std::nullopt;
  }
}

ObjectClass class_of(KeyKind kind) {
  switch (kind) {
    case KeyKind::Aes:
    case KeyKind::Hmac:
      return ObjectClass::SecretKey;
    case KeyKind::RsaPublic:
    case KeyKind::EcPublic:
    case KeyKind::Ed25519Public:
      return ObjectClass::PublicKey;
    default:
      return ObjectClass::PrivateKey;
  }
}

std::string describe_ref(const KeyRef& ref) {
  if (!ref.handle) return ref.to_uri();
  return fmt::format("{} with handle {}", ref.to_uri(), *ref.handle);
}

// The key kind and, for EC, the curve of an object; nullopt for types we do not handle.
struct KindAndCurve {
  KeyKind kind;
  std::optional<EcCurve> curve;
};

Result<std::optional<KindAndCurve>> kind_of(Lease& lease, CK_OBJECT_HANDLE object,
                                            ObjectClass object_class) {
  CRATON_ASSIGN_OR_RETURN(const std::optional<CK_ULONG> key_type,
                          read_ulong_attribute(lease, object, CKA_KEY_TYPE));
  if (!key_type) return std::nullopt;
  const bool is_public = object_class == ObjectClass::PublicKey;
  switch (*key_type) {
    case CKK_AES:
      return KindAndCurve{KeyKind::Aes, std::nullopt};
    case CKK_GENERIC_SECRET:
      return KindAndCurve{KeyKind::Hmac, std::nullopt};
    case CKK_RSA:
      return KindAndCurve{is_public ? KeyKind::RsaPublic : KeyKind::RsaPrivate, std::nullopt};
    case CKK_EC_EDWARDS:
      return KindAndCurve{is_public ? KeyKind::Ed25519Public : KeyKind::Ed25519Private,
                          std::nullopt};
    case CKK_EC: {
      CRATON_ASSIGN_OR_RETURN(const Bytes params,
                              read_public_attribute(lease, object, CKA_EC_PARAMS));
      for (const EcCurve curve : {EcCurve::P256, EcCurve::P384}) {
        if (params == keys::curve_info(curve).oid_der) {
          return KindAndCurve{is_public ? KeyKind::EcPublic : KeyKind::EcPrivate, curve};
        }
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

Result<std::string> read_label(Lease& lease, CK_OBJECT_HANDLE object) {
  CRATON_ASSIGN_OR_RETURN(const auto label, read_optional_bytes(lease, object, CKA_LABEL));
  return label ? std::string(label->begin(), label->end()) : std::string();
}

Result<std::vector<std::uint8_t>> read_id(Lease& lease, CK_OBJECT_HANDLE object) {
  CRATON_ASSIGN_OR_RETURN(auto id, read_optional_bytes(lease, object, CKA_ID));
  return id ? std::move(*id) : std::vector<std::uint8_t>{};
}

Result<std::optional<std::string>> read_unique_id(Lease& lease, CK_OBJECT_HANDLE object) {
  // CKA_UNIQUE_ID is PKCS#11 v3.0: a v2.x module may answer the unknown type with anything.
  if (lease.session().module().interface_version().major < 3) return std::nullopt;
  CRATON_ASSIGN_OR_RETURN(const auto unique_id, read_optional_bytes(lease, object, kCkaUniqueId));
  if (!unique_id || unique_id->empty()) return std::nullopt;
  return std::string(unique_id->begin(), unique_id->end());
}

// The EC point of a key pair: on the object itself (public keys, some modules' private
// keys) or on its public half (public_halves_of).
Result<std::vector<std::uint8_t>> ec_point_of(Lease& lease, CK_OBJECT_HANDLE object,
                                              const ResidentObject& names, KeyKind kind,
                                              std::optional<EcCurve> curve) {
  CRATON_ASSIGN_OR_RETURN(const auto own, read_optional_bytes(lease, object, CKA_EC_POINT));
  if (own) return decode_ec_point_attribute(*own, kind, curve);
  if (names.id.empty()) {
    return fail(ErrorCode::KeyNotFound,
                "the private key has no CKA_ID, so its public half cannot be found");
  }
  CRATON_ASSIGN_OR_RETURN(const std::vector<CK_OBJECT_HANDLE> halves,
                          public_halves_of(lease, object, names.id, names.label));
  if (halves.size() != 1) {
    return fail(halves.empty() ? ErrorCode::KeyNotFound : ErrorCode::KeyAmbiguous,
                fmt::format("the private key labelled '{}' has {} public halves on the token "
                            "(public key objects with its id{}); its public value is unknown",
                            names.label, halves.size(),
                            halves.empty() ? ", and its label where several pairs share the id"
                                           : " and label"));
  }
  CRATON_ASSIGN_OR_RETURN(const Bytes point,
                          read_public_attribute(lease, halves.front(), CKA_EC_POINT));
  return decode_ec_point_attribute(point, kind, curve);
}

}  // namespace

std::string object_uri(const TokenIdentity& token, const std::string& label,
                       const std::vector<std::uint8_t>& id, ObjectClass object_class) {
  Pkcs11Uri uri = token.uri;
  if (!label.empty()) uri.object = label;
  if (!id.empty()) uri.id = id;
  uri.type = object_class;
  return uri.to_string();
}

Result<std::vector<CK_OBJECT_HANDLE>> find_token_objects(Lease& lease) {
  AttributeTemplate tmpl;
  tmpl.add_bool(CKA_TOKEN, true);
  return find_objects(lease, tmpl);
}

namespace {

Result<CK_OBJECT_HANDLE> object_at_handle(Lease& lease, const KeyRef& ref) {
  if (!ref.object_class) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("handle {}: a handle needs the object's class (type=)", *ref.handle));
  }
  const auto not_found = [&] {
    return fail(ErrorCode::KeyNotFound,
                fmt::format("no token object in this process has handle {} and exactly the class, "
                            "label and id of {} (handles may differ between processes and change "
                            "when objects come and go: list again)",
                            *ref.handle, ref.to_uri()));
  };
  // The enumeration comes first: it is what makes a token hand out handles for its objects
  // (SoftHSM2 numbers them as it first meets them), and a handle outside it is not ours.
  CRATON_ASSIGN_OR_RETURN(const auto objects, find_token_objects(lease));
  const auto match = std::find_if(objects.begin(), objects.end(), [&](CK_OBJECT_HANDLE object) {
    return static_cast<std::uint64_t>(object) == *ref.handle;
  });
  if (match == objects.end()) return not_found();
  const CK_OBJECT_HANDLE object = *match;
  CRATON_ASSIGN_OR_RETURN(const auto cko, read_ulong_attribute(lease, object, CKA_CLASS));
  CRATON_ASSIGN_OR_RETURN(const std::string label, read_label(lease, object));
  CRATON_ASSIGN_OR_RETURN(const std::vector<std::uint8_t> id, read_id(lease, object));
  if (cko != cko_of(*ref.object_class) || label != ref.label.value_or(std::string()) ||
      id != ref.id.value_or(std::vector<std::uint8_t>{})) {
    return not_found();
  }
  return object;
}

}  // namespace

Result<std::vector<CK_OBJECT_HANDLE>> find_key_objects(Lease& lease, const KeyRef& ref) {
  if (ref.handle) {
    CRATON_ASSIGN_OR_RETURN(const CK_OBJECT_HANDLE object, object_at_handle(lease, ref));
    return std::vector<CK_OBJECT_HANDLE>{object};
  }
  AttributeTemplate tmpl;
  tmpl.add_bool(CKA_TOKEN, true);
  if (ref.label) tmpl.add_bytes(CKA_LABEL, text_bytes(*ref.label));
  if (ref.id) tmpl.add_bytes(CKA_ID, *ref.id);
  if (ref.object_class) tmpl.add_ulong(CKA_CLASS, cko_of(*ref.object_class));
  CRATON_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> found, find_objects(lease, tmpl));
  if (ref.object_class) return found;
  // No class named: the private or secret key is meant, never its public half.
  std::vector<CK_OBJECT_HANDLE> keys;
  for (const CK_OBJECT_HANDLE object : found) {
    CRATON_ASSIGN_OR_RETURN(const auto cko, read_ulong_attribute(lease, object, CKA_CLASS));
    if (cko == CKO_PRIVATE_KEY || cko == CKO_SECRET_KEY) keys.push_back(object);
  }
  return keys;
}

Result<CK_OBJECT_HANDLE> find_one_key_object(Lease& lease, const KeyRef& ref) {
  CRATON_ASSIGN_OR_RETURN(const std::vector<CK_OBJECT_HANDLE> found, find_key_objects(lease, ref));
  if (found.size() == 1) return found.front();
  if (found.empty()) {
    return fail(ErrorCode::KeyNotFound, fmt::format("no key object matches {}", describe_ref(ref)));
  }
  return fail(ErrorCode::KeyAmbiguous,
              fmt::format("{} key objects match {}; add id= or type= to name exactly one",
                          found.size(), describe_ref(ref)));
}

Result<CK_OBJECT_HANDLE> find_resident_object(Lease& lease, const KeyMaterial& material,
                                              const TokenIdentity& token) {
  const ResidentObject& object = *material.resident;
  std::vector<CK_OBJECT_HANDLE> candidates;
  if (object.unique_id) {
    AttributeTemplate tmpl;
    tmpl.add_bytes(kCkaUniqueId, text_bytes(*object.unique_id));
    CRATON_ASSIGN_OR_RETURN(candidates, find_objects(lease, tmpl));
  }
  if (candidates.empty()) {
    KeyRef ref;
    ref.object_class = class_of(material.kind);
    if (!object.label.empty()) ref.label = object.label;
    if (!object.id.empty()) ref.id = object.id;
    CRATON_ASSIGN_OR_RETURN(candidates, find_key_objects(lease, ref));
  }
  if (candidates.empty()) {
    return fail(ErrorCode::KeyNotFound, fmt::format("no key object matches {}", *object.uri));
  }
  // A secret key without a check value or unique id has nothing that tells it from a
  // replacement with the same names: refuse rather than guess.
  const bool provable = object.unique_id || !object.check_value.empty() ||
                        (material.kind != KeyKind::Aes && material.kind != KeyKind::Hmac);
  std::vector<CK_OBJECT_HANDLE> same;
  if (provable) {
    const SecretBytes expected = keys::fingerprint_input(material);
    for (const CK_OBJECT_HANDLE candidate : candidates) {
      Result<Key> found = load_resident_key(lease, candidate, token);
      // A namesake of a type or curve this library does not use is not the Key's object.
      if (!found && found.error().code() == ErrorCode::KeyTypeInconsistent) continue;
      if (!found) return std::unexpected(std::move(found).error());
      if (!keys::fingerprint_input(found->material()).equals(expected)) continue;
      CRATON_ASSIGN_OR_RETURN(const bool holds, holds_private_key(lease, candidate, material));
      if (holds) same.push_back(candidate);
    }
  }
  if (same.size() == 1) return same.front();
  if (same.size() > 1) {
    return fail(ErrorCode::KeyAmbiguous,
                fmt::format("{} indistinguishable key objects match {}", same.size(), *object.uri));
  }
  return fail(ErrorCode::KeyChanged,
              provable ? fmt::format("{} now names a different key object than the one this Key "
                                     "was made for; find_key it again to use the new one",
                                     *object.uri)
                       : fmt::format("{} cannot be proven to be the object this Key was made "
                                     "for (the token gives no check value for it); find_key "
                                     "it again",
                                     *object.uri));
}

Result<Key> load_resident_key(Lease& lease, CK_OBJECT_HANDLE object, const TokenIdentity& token,
                              const KeyUsages& extra_usages) {
  CRATON_ASSIGN_OR_RETURN(const auto cko, read_ulong_attribute(lease, object, CKA_CLASS));
  const std::optional<ObjectClass> object_class = cko ? object_class_of(*cko) : std::nullopt;
  if (!object_class) return fail(ErrorCode::KeyTypeInconsistent, "the object is not a key");
  CRATON_ASSIGN_OR_RETURN(const auto kind, kind_of(lease, object, *object_class));
  if (!kind) {
    return fail(ErrorCode::KeyTypeInconsistent,
                "the object's key type or curve is not one this library uses");
  }
  keys::ResidentKeyParts parts;
  parts.kind = kind->kind;
  parts.curve = kind->curve;
  CRATON_ASSIGN_OR_RETURN(parts.object.label, read_label(lease, object));
  CRATON_ASSIGN_OR_RETURN(parts.object.id, read_id(lease, object));
  CRATON_ASSIGN_OR_RETURN(parts.object.unique_id, read_unique_id(lease, object));
  CRATON_ASSIGN_OR_RETURN(const auto local, read_bool_attribute(lease, object, CKA_LOCAL));
  parts.origin = local.value_or(false) ? KeyOrigin::GeneratedOnToken : KeyOrigin::Imported;
  switch (kind->kind) {
    case KeyKind::Aes:
    case KeyKind::Hmac: {
      CRATON_ASSIGN_OR_RETURN(const auto length,
                              read_ulong_attribute(lease, object, CKA_VALUE_LEN));
      parts.bits = length.value_or(0) * 8;
      CRATON_ASSIGN_OR_RETURN(parts.object.check_value,
                              secret_check_value(lease, object, kind->kind));
      break;
    }
    case KeyKind::RsaPrivate:
    case KeyKind::RsaPublic: {
      CRATON_ASSIGN_OR_RETURN(parts.rsa_modulus, read_public_attribute(lease, object, CKA_MODULUS));
      CRATON_ASSIGN_OR_RETURN(parts.rsa_public_exponent,
                              read_public_attribute(lease, object, CKA_PUBLIC_EXPONENT));
      break;
    }
    default:
      CRATON_ASSIGN_OR_RETURN(parts.public_point,
                              ec_point_of(lease, object, parts.object, parts.kind, parts.curve));
      break;
  }
  parts.object.token_serial = token.serial;
  parts.object.extra_usages = extra_usages;
  parts.object.uri = std::make_shared<const std::string>(
      object_uri(token, parts.object.label, parts.object.id, *object_class));
  return keys::resident_key(std::move(parts));
}

Result<std::optional<ResidentKeyInfo>> describe_key_object(Lease& lease, CK_OBJECT_HANDLE object,
                                                           const TokenIdentity& token) {
  CRATON_ASSIGN_OR_RETURN(const auto cko, read_ulong_attribute(lease, object, CKA_CLASS));
  const std::optional<ObjectClass> object_class = cko ? object_class_of(*cko) : std::nullopt;
  if (!object_class) return std::nullopt;
  CRATON_ASSIGN_OR_RETURN(const auto kind, kind_of(lease, object, *object_class));
  if (!kind) return std::nullopt;

  ResidentKeyInfo info;
  info.object_class = *object_class;
  info.kind = kind->kind;
  info.curve = kind->curve;
  CRATON_ASSIGN_OR_RETURN(info.label, read_label(lease, object));
  CRATON_ASSIGN_OR_RETURN(info.id, read_id(lease, object));
  CRATON_ASSIGN_OR_RETURN(info.unique_id, read_unique_id(lease, object));
  const auto flag = [&](CK_ATTRIBUTE_TYPE type) -> Result<bool> {
    CRATON_ASSIGN_OR_RETURN(const auto value, read_bool_attribute(lease, object, type));
    return value.value_or(false);
  };
  CRATON_ASSIGN_OR_RETURN(info.usages.sign, flag(CKA_SIGN));
  CRATON_ASSIGN_OR_RETURN(info.usages.verify, flag(CKA_VERIFY));
  CRATON_ASSIGN_OR_RETURN(info.usages.encrypt, flag(CKA_ENCRYPT));
  CRATON_ASSIGN_OR_RETURN(info.usages.decrypt, flag(CKA_DECRYPT));
  CRATON_ASSIGN_OR_RETURN(info.usages.wrap, flag(CKA_WRAP));
  CRATON_ASSIGN_OR_RETURN(info.usages.unwrap, flag(CKA_UNWRAP));
  CRATON_ASSIGN_OR_RETURN(info.usages.derive, flag(CKA_DERIVE));
  CRATON_ASSIGN_OR_RETURN(info.local, flag(CKA_LOCAL));
  CRATON_ASSIGN_OR_RETURN(info.extractable, flag(CKA_EXTRACTABLE));
  CRATON_ASSIGN_OR_RETURN(info.sensitive, flag(CKA_SENSITIVE));
  info.unexpected_usages = usages_beyond_policy(info.kind, info.usages);
  switch (kind->kind) {
    case KeyKind::Aes:
    case KeyKind::Hmac: {
      CRATON_ASSIGN_OR_RETURN(const auto length,
                              read_ulong_attribute(lease, object, CKA_VALUE_LEN));
      info.bits = length.value_or(0) * 8;
      break;
    }
    case KeyKind::RsaPrivate:
    case KeyKind::RsaPublic: {
      CRATON_ASSIGN_OR_RETURN(const Bytes modulus,
                              read_public_attribute(lease, object, CKA_MODULUS));
      const auto first =
          std::find_if(modulus.begin(), modulus.end(), [](auto b) { return b != 0; });
      info.bits = first == modulus.end() ? 0
                                         : static_cast<std::size_t>(modulus.end() - first) * 8 -
                                               static_cast<std::size_t>(__builtin_clz(*first) - 24);
      break;
    }
    case KeyKind::EcPrivate:
    case KeyKind::EcPublic:
      info.bits = keys::curve_info(*kind->curve).field_bytes * 8;
      break;
    default:
      info.bits = 256;  // Ed25519, as Key::bits reports it
      break;
  }
  info.uri = object_uri(token, info.label, info.id, *object_class);
  info.handle = static_cast<std::uint64_t>(object);
  return info;
}

Result<void> check_label_and_id(std::string_view label, std::span<const std::uint8_t> id,
                                std::string_view what) {
  constexpr std::size_t kMaxLabelBytes = 128;
  constexpr std::size_t kMaxIdBytes = 64;
  if (label.empty() || label.size() > kMaxLabelBytes) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("{} needs a label of 1..{} bytes", what, kMaxLabelBytes));
  }
  if (id.empty() || id.size() > kMaxIdBytes) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("{} needs an id of 1..{} bytes", what, kMaxIdBytes));
  }
  return {};
}

}  // namespace craton::hsm::pkcs11
