// SPDX-License-Identifier: Apache-2.0
// Writing a key as the --json key object.
#include "cli/key_json.h"

#include <algorithm>
#include <string_view>

#include "core/hex.h"

namespace craton::hsm::cli {

std::string key_type_text(KeyKind kind, const std::optional<EcCurve>& curve) {
  switch (kind) {
    case KeyKind::Aes:
      return "AES";
    case KeyKind::Hmac:
      return "HMAC";
    case KeyKind::RsaPrivate:
    case KeyKind::RsaPublic:
      return "RSA";
    case KeyKind::EcPrivate:
    case KeyKind::EcPublic:
      if (!curve) return "EC";
      return *curve == EcCurve::P256 ? "EC P-256" : "EC P-384";
    case KeyKind::Ed25519Private:
    case KeyKind::Ed25519Public:
      return "Ed25519";
  }
  return "unknown";
}

void write_key_json(JsonWriter& json, const ResidentKeyInfo& info,
                    const std::function<void()>& extra) {
  json.begin_object();
  json.key("label").value(info.label);
  json.key("id").value(to_hex(info.id));
  json.key("class").value(object_class_name(info.object_class));
  json.key("type").value(key_type_text(info.kind, info.curve));
  json.key("bits").value(static_cast<std::uint64_t>(info.bits));
  json.key("usage").begin_array();
  const std::string usages = info.usages.to_string();
  for (std::size_t start = 0; start < usages.size();) {
    const std::size_t comma = std::min(usages.find(',', start), usages.size());
    json.value(std::string_view(usages).substr(start, comma - start));
    start = comma + 1;
  }
  json.end_array();
  // Usages the token granted on its own (ResidentKeyInfo::unexpected_usages; keygen: beyond
  // the request, Key::extra_usages).
  json.key("unexpected_usages").begin_array();
  const std::string unexpected = info.unexpected_usages.to_string();
  for (std::size_t start = 0; start < unexpected.size();) {
    const std::size_t comma = std::min(unexpected.find(',', start), unexpected.size());
    json.value(std::string_view(unexpected).substr(start, comma - start));
    start = comma + 1;
  }
  json.end_array();
  json.key("local").value(info.local);
  json.key("extractable").value(info.extractable);
  json.key("sensitive").value(info.sensitive);
  json.key("unique_id");
  if (info.unique_id) {
    json.value(*info.unique_id);
  } else {
    json.null();
  }
  json.key("uri").value(info.uri);
  json.key("handle");
  if (info.handle != 0) {  // 0 is CK_INVALID_HANDLE: not read (keygen)
    json.value(info.handle);
  } else {
    json.null();
  }
  json.key("needs_handle").value(info.needs_handle);
  if (extra) extra();
  json.end_object();
}

void write_other_object_json(JsonWriter& json, const TokenObjectInfo& object,
                             const std::function<void()>& extra) {
  json.begin_object();
  json.key("label").value(object.label);
  json.key("id").value(to_hex(object.id));
  json.key("class").value(object_class_name(object.object_class));
  if (object.object_class == ObjectClass::Certificate) {
    json.key("type").value(object.kind);
  } else {
    json.key("application").value(object.kind);
  }
  json.key("bytes").value(static_cast<std::uint64_t>(object.value_bytes));
  json.key("uri").value(object.uri);
  json.key("handle").value(object.handle);
  json.key("needs_handle").value(object.needs_handle);
  if (extra) extra();
  json.end_object();
}

ResidentKeyInfo generated_key_info(const ResidentKeySpec& spec, const Key& key) {
  ResidentKeyInfo info;
  info.label = spec.label;
  info.id = spec.id;
  const bool secret = key.kind() == KeyKind::Aes || key.kind() == KeyKind::Hmac;
  info.object_class = secret ? ObjectClass::SecretKey : ObjectClass::PrivateKey;
  info.kind = key.kind();
  info.bits = key.bits();
  info.curve = key.curve();
  info.usages = spec.usages.value_or(KeyUsages::defaults_for(spec.algorithm));
  if (!secret) {
    // A pair's usages are split between its halves (KeyUsages): the public one verifies,
    // encrypts and wraps, so the private object carries none of those.
    info.usages.verify = false;
    info.usages.encrypt = false;
    info.usages.wrap = false;
  }
  // What the token granted beyond the request, read back after generation.
  info.unexpected_usages = key.extra_usages();
  const KeyUsages extra = info.unexpected_usages;
  info.usages.sign |= extra.sign;
  info.usages.decrypt |= extra.decrypt;
  info.usages.unwrap |= extra.unwrap;
  info.usages.derive |= extra.derive;
  if (secret) {
    info.usages.verify |= extra.verify;
    info.usages.encrypt |= extra.encrypt;
    info.usages.wrap |= extra.wrap;
  }
  info.local = true;
  info.extractable = spec.extractable;
  info.sensitive = true;
  info.uri = key.resident_uri().value_or("");
  return info;
}

}  // namespace craton::hsm::cli
