// SPDX-License-Identifier: Apache-2.0
// Reading back what a token granted a generated key, and the strict_usages policy.
#include "backends/pkcs11/strict_templates.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pkcs11/loader/rv_map.h"
#include "pkcs11/session/object_search.h"

namespace craton::hsm::pkcs11 {
namespace {

bool* flag_of(KeyUsages& usages, CK_ATTRIBUTE_TYPE type) {
  switch (type) {
    case CKA_SIGN:
      return &usages.sign;
    case CKA_VERIFY:
      return &usages.verify;
    case CKA_ENCRYPT:
      return &usages.encrypt;
    case CKA_DECRYPT:
      return &usages.decrypt;
    case CKA_WRAP:
      return &usages.wrap;
    case CKA_UNWRAP:
      return &usages.unwrap;
    case CKA_DERIVE:
      return &usages.derive;
    default:
      return nullptr;
  }
}

// Adds to `extra` every usage `object` has that `requested` does not.
Result<void> read_usages(Lease& lease, CK_OBJECT_HANDLE object, CK_OBJECT_CLASS object_class,
                         KeyUsages requested, KeyUsages& extra) {
  for (const CK_ATTRIBUTE_TYPE type : usage_attributes_of(object_class)) {
    CRATON_ASSIGN_OR_RETURN(const std::optional<bool> set,
                            read_bool_attribute(lease, object, type));
    bool* asked = flag_of(requested, type);
    if (set.value_or(false) && asked != nullptr && !*asked) *flag_of(extra, type) = true;
  }
  return {};
}

}  // namespace

Result<Grant> read_grant(Lease& lease, CK_OBJECT_HANDLE key, CK_OBJECT_HANDLE public_half,
                         const Requested& requested) {
  Grant grant;
  const bool pair = public_half != CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(read_usages(lease, key, pair ? CKO_PRIVATE_KEY : CKO_SECRET_KEY,
                                     requested.usages, grant.extra));
  if (pair) {
    CRATON_RETURN_IF_ERROR(
        read_usages(lease, public_half, CKO_PUBLIC_KEY, requested.usages, grant.extra));
  }
  CRATON_ASSIGN_OR_RETURN(const auto sensitive, read_bool_attribute(lease, key, CKA_SENSITIVE));
  if (!sensitive.value_or(false)) grant.weakened.emplace_back("CKA_SENSITIVE false");
  CRATON_ASSIGN_OR_RETURN(const auto extractable, read_bool_attribute(lease, key, CKA_EXTRACTABLE));
  if (extractable.value_or(false) && !requested.extractable) {
    grant.weakened.emplace_back("CKA_EXTRACTABLE true");
  }
  CRATON_ASSIGN_OR_RETURN(const auto is_private, read_bool_attribute(lease, key, CKA_PRIVATE));
  if (requested.private_objects && !is_private.value_or(true)) {
    grant.weakened.emplace_back("CKA_PRIVATE false");
  }
  return grant;
}

Result<void> judge_grant(const Grant& grant, bool strict_usages, std::string_view label) {
  if (!grant.weakened.empty()) {
    // Never accepted, whatever strict_usages says: a key the token made readable or
    // exportable is not the key that was asked for.
    return fail(ErrorCode::TemplateInvalid,
                fmt::format("the token generated the key labelled {:?} with {} although the "
                            "template asked otherwise; the key was destroyed",
                            label, fmt::join(grant.weakened, ", ")));
  }
  if (strict_usages && grant.extra != KeyUsages{}) {
    return fail(ErrorCode::TemplateInvalid,
                fmt::format("the token granted the key labelled {:?} usages that were not asked "
                            "for ({}), and strict_usages = true refuses that; the key was "
                            "destroyed",
                            label, grant.extra.to_string()));
  }
  return {};
}

bool refused_template(const HsmError& error) {
  const bool generate_call = error.function() == function_name(Fn::GenerateKey) ||
                             error.function() == function_name(Fn::GenerateKeyPair);
  return generate_call && error.rv() && is_template_refusal(*error.rv());
}

}  // namespace craton::hsm::pkcs11
