// SPDX-License-Identifier: Apache-2.0
// ImportPolicy: the method per key class and auto mode's one-way switch.
#include "backends/pkcs11/import_policy.h"

#include "pkcs11/loader/rv_map.h"

namespace craton::hsm::pkcs11 {

std::optional<ImportClass> import_class(KeyKind kind) noexcept {
  switch (kind) {
    case KeyKind::Aes:
    case KeyKind::Hmac:
      return ImportClass::Secret;
    case KeyKind::RsaPrivate:
    case KeyKind::EcPrivate:
    case KeyKind::Ed25519Private:
      return ImportClass::Private;
    case KeyKind::RsaPublic:
    case KeyKind::EcPublic:
    case KeyKind::Ed25519Public:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string_view import_class_name(ImportClass value) noexcept {
  return value == ImportClass::Secret ? "secret" : "private";
}

ImportPolicy::ImportPolicy(ImportMethod method, bool refuses_private_key_create) noexcept
    : method_(method) {
  const bool all = method == ImportMethod::Unwrap;
  unwrap_[index(ImportClass::Secret)].store(all);
  unwrap_[index(ImportClass::Private)].store(all || refuses_private_key_create);
}

bool ImportPolicy::may_switch(const HsmError& error) const noexcept {
  return method_ == ImportMethod::Auto && error.rv() &&
         is_clear_import_refusal(static_cast<CK_RV>(*error.rv()));
}

ImportPolicy::Refusal ImportPolicy::switch_to_unwrap(ImportClass value) noexcept {
  // The refused call may have raced a switch made by another thread: one of them wins.
  bool expected = false;
  const bool won =
      switched_[index(value)].compare_exchange_strong(expected, true, std::memory_order_acq_rel);
  unwrap_[index(value)].store(true, std::memory_order_release);
  if (!won) return Refusal::SwitchedEarlier;
  switches_.fetch_add(1, std::memory_order_relaxed);
  return Refusal::SwitchedNow;
}

std::string ImportPolicy::describe(ImportClass value) const {
  if (!by_unwrap(value)) return "create";
  if (switched_[index(value)].load(std::memory_order_acquire)) {
    return "unwrap (auto: the token refused C_CreateObject)";
  }
  if (method_ == ImportMethod::Unwrap) return "unwrap";
  return "unwrap (vendor profile: refuses_private_key_create)";
}

void describe_import(const ImportPolicy& policy, TokenCapabilities& out) {
  out.import_method = std::string(import_method_name(policy.method()));
  out.secret_key_import = policy.describe(ImportClass::Secret);
  out.private_key_import = policy.describe(ImportClass::Private);
}

}  // namespace craton::hsm::pkcs11
