// SPDX-License-Identifier: Apache-2.0
// Key templates for the raw baseline: the backend's own (pkcs11/session/key_template.h), with
// the usages each baseline operation needs.
#include "bench/raw/raw_templates.h"

#include "pkcs11/session/key_template.h"

namespace craton::hsm::bench::raw {
namespace {

using pkcs11::add_key_attributes;
using pkcs11::ObjectOptions;

// The usages `op` needs, as the backend grants them (AES-GCM gets encrypt and decrypt).
bool granted(RawOp op, CK_ATTRIBUTE_TYPE attribute) {
  switch (op) {
    case RawOp::AesGcmEncrypt:
      return attribute == CKA_ENCRYPT || attribute == CKA_DECRYPT;
    case RawOp::EcdsaP256Verify:
      return attribute == CKA_VERIFY;
    case RawOp::HmacSha256:
      return attribute == CKA_SIGN || attribute == CKA_VERIFY;
    default:
      return attribute == CKA_SIGN;
  }
}

}  // namespace

Result<void> key_template(AttributeTemplate& tmpl, const KeyMaterial& m, RawOp op,
                          bool private_object, std::string_view token_label) {
  if (m.kind == KeyKind::RsaPublic || m.kind == KeyKind::Ed25519Public) {
    return fail(ErrorCode::KeyTypeInconsistent, "the raw baseline has no case for this key");
  }
  ObjectOptions options;
  options.token = !token_label.empty();
  options.private_objects = private_object;
  options.label = {reinterpret_cast<const std::uint8_t*>(token_label.data()), token_label.size()};
  options.granted = [op](CK_ATTRIBUTE_TYPE attribute) { return granted(op, attribute); };
  add_key_attributes(tmpl, m, options);
  return {};
}

}  // namespace craton::hsm::bench::raw
