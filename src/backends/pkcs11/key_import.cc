// SPDX-License-Identifier: Apache-2.0
// Which usages a material key may be imported for, and the import itself.
#include "backends/pkcs11/key_import.h"

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {
namespace {

bool grants(KeyUsage usage, CK_ATTRIBUTE_TYPE attribute) {
  switch (usage) {
    case KeyUsage::Sign:
      return attribute == CKA_SIGN;
    case KeyUsage::Verify:
      return attribute == CKA_VERIFY;
    case KeyUsage::Encrypt:
      return attribute == CKA_ENCRYPT;
    case KeyUsage::Decrypt:
      return attribute == CKA_DECRYPT;
    case KeyUsage::Cipher:
      return attribute == CKA_ENCRYPT || attribute == CKA_DECRYPT;
    case KeyUsage::Wrap:
      return attribute == CKA_WRAP || attribute == CKA_UNWRAP;
    case KeyUsage::Derive:
      return attribute == CKA_DERIVE;
    case KeyUsage::Mac:
      return attribute == CKA_SIGN || attribute == CKA_VERIFY;
  }
  return false;
}

bool usage_fits(KeyKind kind, KeyUsage usage) {
  switch (kind) {
    case KeyKind::Aes:
      return usage == KeyUsage::Cipher || usage == KeyUsage::Wrap;
    case KeyKind::Hmac:
      return usage == KeyUsage::Mac;
    case KeyKind::RsaPrivate:
      return usage == KeyUsage::Sign || usage == KeyUsage::Decrypt;
    case KeyKind::RsaPublic:
      return usage == KeyUsage::Verify || usage == KeyUsage::Encrypt;
    case KeyKind::EcPrivate:
      return usage == KeyUsage::Sign || usage == KeyUsage::Derive;
    case KeyKind::EcPublic:
    case KeyKind::Ed25519Public:
      return usage == KeyUsage::Verify;
    case KeyKind::Ed25519Private:
      return usage == KeyUsage::Sign;
  }
  return false;
}

}  // namespace

Result<ObjectOptions> session_import_options(const KeyMaterial& m, KeyUsage usage,
                                             bool private_objects) {
  if (!usage_fits(m.kind, usage)) {
    return fail(ErrorCode::KeyTypeInconsistent,
                fmt::format("a {} key cannot be used for this operation", key_kind_name(m.kind)));
  }
  ObjectOptions options;
  options.private_objects = private_objects;
  options.granted = [usage](CK_ATTRIBUTE_TYPE type) { return grants(usage, type); };
  return options;
}

Result<CK_OBJECT_HANDLE> import_key(Lease& lease, const KeyMaterial& m, KeyUsage usage,
                                    bool private_objects) {
  CRATON_ASSIGN_OR_RETURN(const ObjectOptions options,
                          session_import_options(m, usage, private_objects));
  return create_key_object(lease, m, options);
}

Result<CK_OBJECT_HANDLE> create_key_object(Lease& lease, const KeyMaterial& m,
                                           const ObjectOptions& options) {
  AttributeTemplate tmpl;
  add_key_attributes(tmpl, m, options);
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(lease.call<Fn::CreateObject>(tmpl.data(), tmpl.size(), &object));
  return object;
}

}  // namespace craton::hsm::pkcs11
