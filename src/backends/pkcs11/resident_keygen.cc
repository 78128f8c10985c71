// SPDX-License-Identifier: Apache-2.0
// Persistent key creation: spec checks, the uniqueness rule and the generation templates.
#include "backends/pkcs11/resident_keygen.h"

#include <span>

#include <fmt/format.h>

#include "backends/pkcs11/key_import.h"
#include "backends/pkcs11/keygen_spec.h"
#include "backends/pkcs11/resident_lookup.h"
#include "core/operation_notes.h"
#include "keys/key_build.h"
#include "pkcs11/session/attributes.h"

namespace craton::hsm::pkcs11 {
namespace {

// Which usages a family can have; everything else is refused rather than silently dropped.
bool allowed(KeyFamily family, const KeyUsages& u) {
  switch (family) {
    case KeyFamily::Aes:
      return !u.sign && !u.verify && !u.derive;
    case KeyFamily::Hmac:
      return !u.encrypt && !u.decrypt && !u.wrap && !u.unwrap && !u.derive;
    case KeyFamily::Rsa:
      return !u.wrap && !u.unwrap && !u.derive;
    case KeyFamily::Ec:
      return !u.encrypt && !u.decrypt && !u.wrap && !u.unwrap;
    case KeyFamily::Ed25519:
      return !u.encrypt && !u.decrypt && !u.wrap && !u.unwrap && !u.derive;
  }
  return false;
}

// Every usage `allowed` lets a family have.
KeyUsages policy_of(KeyFamily family) {
  KeyUsages p;
  switch (family) {
    case KeyFamily::Aes:
      p.encrypt = p.decrypt = p.wrap = p.unwrap = true;
      break;
    case KeyFamily::Hmac:
    case KeyFamily::Ed25519:
      p.sign = p.verify = true;
      break;
    case KeyFamily::Rsa:
      p.sign = p.verify = p.encrypt = p.decrypt = true;
      break;
    case KeyFamily::Ec:
      p.sign = p.verify = p.derive = true;
      break;
  }
  return p;
}

KeyUsages defaults_of(KeyFamily family) {
  KeyUsages usages;
  if (family == KeyFamily::Aes) {
    usages.encrypt = usages.decrypt = true;
  } else {
    usages.sign = usages.verify = true;
  }
  return usages;
}

Result<KeyUsages> check_common(const ResidentKeySpec& spec, KeyFamily family,
                               std::string_view what) {
  CRATON_RETURN_IF_ERROR(check_label_and_id(spec.label, spec.id, "a resident key"));
  const KeyUsages usages = spec.usages.value_or(defaults_of(family));
  if (usages == KeyUsages{}) {
    return fail(ErrorCode::InvalidArgument, "a resident key needs at least one usage");
  }
  if (!allowed(family, usages)) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("a {} key cannot be used for {}", what, usages.to_string()));
  }
  return usages;
}

// usage attribute -> whether `usages` grants it
auto granted_by(const KeyUsages& usages) {
  return [usages](CK_ATTRIBUTE_TYPE type) {
    switch (type) {
      case CKA_SIGN:
        return usages.sign;
      case CKA_VERIFY:
        return usages.verify;
      case CKA_ENCRYPT:
        return usages.encrypt;
      case CKA_DECRYPT:
        return usages.decrypt;
      case CKA_WRAP:
        return usages.wrap;
      case CKA_UNWRAP:
        return usages.unwrap;
      case CKA_DERIVE:
        return usages.derive;
      default:
        return false;
    }
  };
}

// What every object of a resident key carries.
void add_identity(AttributeTemplate& tmpl, const ResidentKeySpec& spec) {
  tmpl.add_bool(CKA_TOKEN, true)
      .add_bytes(CKA_LABEL, text_bytes(spec.label))
      .add_bytes(CKA_ID, spec.id);
}

// What the private or secret object carries on top.
void add_protection(AttributeTemplate& tmpl, const ResidentKeySpec& spec, bool private_objects) {
  tmpl.add_bool(CKA_PRIVATE, private_objects)
      .add_bool(CKA_SENSITIVE, true)
      .add_bool(CKA_EXTRACTABLE, spec.extractable);
}

// Templates in `style`: Explicit names every usage (and the public half's CKA_PRIVATE false),
// RequestedOnly only the usages asked for; both keep CKA_SENSITIVE, CKA_EXTRACTABLE and
// CKA_PRIVATE of the private or secret object explicit.
Result<void> generate_secret(Lease& lease, const ResidentKeySpec& spec,
                             const KeygenSpec& generation, const KeyUsages& usages,
                             bool private_objects, UsageStyle style, CreatedObjects& created) {
  AttributeTemplate tmpl;
  tmpl.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
      .add_ulong(CKA_KEY_TYPE, generation.family == KeyFamily::Aes ? CKK_AES : CKK_GENERIC_SECRET)
      .add_ulong(CKA_VALUE_LEN, generation.size);
  add_identity(tmpl, spec);
  add_protection(tmpl, spec, private_objects);
  add_usage_attributes(tmpl, CKO_SECRET_KEY, granted_by(usages), style);
  CK_MECHANISM mechanism{generation.mechanism, nullptr, 0};
  // Handles count only when the call succeeded: after a failure the module may have written
  // anything there, and destroying "it" could destroy another key.
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(lease.call<Fn::GenerateKey>(&mechanism, tmpl.data(), tmpl.size(), &key));
  created.key = key;
  return {};
}

Result<void> generate_pair(Lease& lease, const ResidentKeySpec& spec, const KeygenSpec& generation,
                           const KeyUsages& usages, bool private_objects, UsageStyle style,
                           CreatedObjects& created) {
  static constexpr CK_BYTE kF4[] = {0x01, 0x00, 0x01};  // 65537
  AttributeTemplate public_tmpl;
  add_identity(public_tmpl, spec);
  if (style == UsageStyle::Explicit) public_tmpl.add_bool(CKA_PRIVATE, false);
  switch (generation.family) {
    case KeyFamily::Rsa:
      public_tmpl.add_ulong(CKA_MODULUS_BITS, generation.size).add_bytes(CKA_PUBLIC_EXPONENT, kF4);
      break;
    default:
      public_tmpl.add_bytes(CKA_EC_PARAMS, ec_params_of(generation));
      break;
  }
  add_usage_attributes(public_tmpl, CKO_PUBLIC_KEY, granted_by(usages), style);
  AttributeTemplate private_tmpl;
  add_identity(private_tmpl, spec);
  add_protection(private_tmpl, spec, private_objects);
  add_usage_attributes(private_tmpl, CKO_PRIVATE_KEY, granted_by(usages), style);

  CK_MECHANISM mechanism{generation.mechanism, nullptr, 0};
  CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;  // trusted only on success, as above
  CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(lease.call<Fn::GenerateKeyPair>(
      &mechanism, public_tmpl.data(), public_tmpl.size(), private_tmpl.data(), private_tmpl.size(),
      &public_key, &private_key));
  created.key = private_key;
  created.public_half = public_key;
  return {};
}

// The token key objects of any class that carry the spec's label (or, with by_label false,
// its id).
Result<std::vector<CK_OBJECT_HANDLE>> objects_named(Lease& lease, const ResidentKeySpec& spec,
                                                    bool by_label) {
  std::vector<CK_OBJECT_HANDLE> named;
  for (const ObjectClass object_class :
       {ObjectClass::PrivateKey, ObjectClass::PublicKey, ObjectClass::SecretKey}) {
    KeyRef ref;
    ref.object_class = object_class;
    if (by_label) {
      ref.label = spec.label;
    } else {
      ref.id = spec.id;
    }
    CRATON_ASSIGN_OR_RETURN(const auto found, find_key_objects(lease, ref));
    named.insert(named.end(), found.begin(), found.end());
  }
  return named;
}

}  // namespace

Result<KeyUsages> check_resident_spec(const ResidentKeySpec& spec,
                                      const CapabilityTable& capabilities) {
  CRATON_ASSIGN_OR_RETURN(const KeygenSpec generation, keygen_spec(spec.algorithm));
  CRATON_ASSIGN_OR_RETURN(
      KeyUsages usages, check_common(spec, generation.family, key_algorithm_name(spec.algorithm)));
  CRATON_RETURN_IF_ERROR(capabilities.require(keygen_row(spec.algorithm)));
  return usages;
}

KeyUsages usages_beyond_policy(KeyKind kind, const KeyUsages& usages) {
  const KeyUsages policy = policy_of(family_of(kind));
  KeyUsages beyond;
  beyond.sign = usages.sign && !policy.sign;
  beyond.verify = usages.verify && !policy.verify;
  beyond.encrypt = usages.encrypt && !policy.encrypt;
  beyond.decrypt = usages.decrypt && !policy.decrypt;
  beyond.wrap = usages.wrap && !policy.wrap;
  beyond.unwrap = usages.unwrap && !policy.unwrap;
  beyond.derive = usages.derive && !policy.derive;
  return beyond;
}

Result<KeyUsages> check_resident_import(const ResidentKeySpec& spec, KeyKind kind) {
  return check_common(spec, family_of(kind), key_kind_name(kind));
}

Result<void> require_unused(Lease& lease, const ResidentKeySpec& spec, const CreatedObjects& ours) {
  for (const bool by_label : {true, false}) {
    CRATON_ASSIGN_OR_RETURN(const auto named, objects_named(lease, spec, by_label));
    for (const CK_OBJECT_HANDLE object : named) {
      if (object == ours.key || object == ours.public_half) continue;
      return fail(ErrorCode::KeyAlreadyExists,
                  fmt::format("a key with this {} already exists on the token (label '{}')",
                              by_label ? "label" : "id", spec.label));
    }
  }
  return {};
}

Result<Grant> generate_resident(Lease& lease, const ResidentKeySpec& spec, const KeyUsages& usages,
                                bool private_objects, KeyTemplateChoice& templates,
                                CreatedObjects& created) {
  CRATON_ASSIGN_OR_RETURN(const KeygenSpec generation, keygen_spec(spec.algorithm));
  const auto generate = [&](UsageStyle style) {
    if (generation.family == KeyFamily::Aes || generation.family == KeyFamily::Hmac) {
      return generate_secret(lease, spec, generation, usages, private_objects, style, created);
    }
    return generate_pair(lease, spec, generation, usages, private_objects, style, created);
  };
  const UsageStyle first = templates.first();
  Result<void> made = generate(first);
  if (!made && first == UsageStyle::Explicit && refused_template(made.error())) {
    // A refused generation made nothing (its handles are not trusted), so one retry with the
    // minimal template is safe. A token that takes it gets it first from now on.
    const HsmError refusal = std::move(made).error();
    made = generate(UsageStyle::RequestedOnly);
    if (!made) {
      return std::unexpected(HsmError(
          refusal.code(),
          fmt::format(
              "{}; retried with the minimal template (requested usages only): {}",
              refusal.message().empty() ? "the token refused the template" : refusal.message(),
              made.error().to_string()),
          refusal.function(), refusal.rv().value_or(CKR_GENERAL_ERROR), refusal.rv_name()));
    }
    templates.learn_minimal();
    if (OperationNotes* notes = ObservedOperation::current()) notes->minimal_template = true;
  } else if (made && first == UsageStyle::RequestedOnly) {
    if (OperationNotes* notes = ObservedOperation::current()) notes->minimal_template = true;
  }
  CRATON_RETURN_IF_ERROR(made);
  // Every generation, whichever template: a token may add usages it derives itself, or
  // weaken what was asked.
  return read_grant(
      lease, created.key, created.public_half,
      Requested{
          .usages = usages, .extractable = spec.extractable, .private_objects = private_objects});
}

Result<void> store_resident(Lease& lease, const Key& key, const ResidentKeySpec& spec,
                            const KeyUsages& usages, bool private_objects, CreatedObjects& created,
                            const StoreKeyObject& store) {
  ObjectOptions options;
  options.token = true;
  options.private_objects = private_objects;
  options.extractable = spec.extractable;
  options.label = text_bytes(spec.label);
  options.id = spec.id;
  options.granted = granted_by(usages);
  const bool asymmetric_private =
      key.is_private() && key.kind() != KeyKind::Aes && key.kind() != KeyKind::Hmac;
  CRATON_ASSIGN_OR_RETURN(created.key, store(lease, key.material(), options));
  if (asymmetric_private) {
    // The public half shares label and id, so verification and export find it on the token.
    CRATON_ASSIGN_OR_RETURN(const Key public_key, key.public_key());
    CRATON_ASSIGN_OR_RETURN(created.public_half, store(lease, public_key.material(), options));
  }
  return {};
}

}  // namespace craton::hsm::pkcs11
