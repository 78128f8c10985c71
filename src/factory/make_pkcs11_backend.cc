// SPDX-License-Identifier: Apache-2.0
// make_pkcs11_backend: the passthrough backend, wrapped in the audit decorator when the config
// has an audit trail, with the chain key from a key file or from an HMAC key on the token; its
// GCM budgets on the durable store of the [budget] table, keys named under the budget identity
// key (a key file, or an HMAC key on the token, as the audit chain key).
#include <craton/hsm/pkcs11_backend.h>

#include <fmt/format.h>

#include "audited/audited_pkcs11_backend.h"
#include "backends/pkcs11/metered_backend.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "budget/open_store.h"

namespace craton::hsm::factory {
namespace {

// The chain MAC computed by the token with a resident HMAC key (CKM_SHA256_HMAC): the audit
// key never leaves the HSM. Called from the trail's writer thread through the unaudited
// backend, so MACing a record never produces a record.
class TokenAuditMac final : public AuditMac {
 public:
  TokenAuditMac(Pkcs11Backend& backend, Key key) : backend_(backend), key_(std::move(key)) {}
  Result<std::array<std::uint8_t, 32>> mac(std::span<const std::uint8_t> data) override {
    CRATON_ASSIGN_OR_RETURN(const Bytes tag, backend_.hmac(key_, HashAlg::Sha256, data));
    std::array<std::uint8_t, 32> out{};
    if (tag.size() != out.size()) return fail(ErrorCode::Internal, "HMAC-SHA-256 of wrong size");
    std::copy(tag.begin(), tag.end(), out.begin());
    return out;
  }

 private:
  Pkcs11Backend& backend_;
  Key key_;
};

// An HMAC key on the token, by label, as a MAC (the audit chain key, the budget identity
// key): `what` names it in errors; `missing` is the code when the token has no such key.
Result<std::unique_ptr<AuditMac>> token_hmac(Pkcs11Backend& backend, const std::string& key_label,
                                             std::string_view what, ErrorCode missing) {
  KeyRef ref;
  ref.label = key_label;
  ref.object_class = ObjectClass::SecretKey;
  Result<Key> key = backend.find_key(ref);
  if (!key) {
    return fail(missing,
                fmt::format("{} '{}' on the token: {}", what, key_label, key.error().to_string()));
  }
  if (key->kind() != KeyKind::Hmac) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("{} '{}' must be a generic-secret (HMAC) key, not {}", what, key_label,
                            key->describe()));
  }
  return std::make_unique<TokenAuditMac>(backend, *key);
}

// The pool's events as audit events: LoggedIn / LoginFailed as Login, SessionRebuilt and
// SessionRebuildFailed as PoolRebuild, SizeClamped as PoolRebuild with its sizes in `detail`,
// retries, module re-initialisations and breaker transitions as Recovery naming the event.
AuditEvent audit_event_of(const pkcs11::PoolEvent& pool_event) {
  AuditEvent event;
  switch (pool_event.kind) {
    case pkcs11::PoolEventKind::LoggedIn:
    case pkcs11::PoolEventKind::LoginFailed:
      event.operation = AuditOperation::Login;
      break;
    case pkcs11::PoolEventKind::SessionRebuilt:
    case pkcs11::PoolEventKind::SessionRebuildFailed:
      event.operation = AuditOperation::PoolRebuild;
      event.detail = fmt::format("session {}", pool_event.session_index);
      break;
    case pkcs11::PoolEventKind::SizeClamped:
      event.operation = AuditOperation::PoolRebuild;
      event.detail = fmt::format("pool clamped from {} to {} sessions by the token",
                                 pool_event.requested_size, pool_event.effective_size);
      break;
    case pkcs11::PoolEventKind::Retried:
    case pkcs11::PoolEventKind::ModuleReinitialized:
    case pkcs11::PoolEventKind::ModuleReinitFailed:
    case pkcs11::PoolEventKind::BreakerOpened:
    case pkcs11::PoolEventKind::BreakerHalfOpen:
    case pkcs11::PoolEventKind::BreakerClosed:
      event.operation = AuditOperation::Recovery;
      event.detail = std::string(pkcs11::pool_event_name(pool_event.kind));
      break;
  }
  if (pool_event.error) {
    event.error = pool_event.error->code();
    event.ckr = pool_event.error->rv_name();
  }
  return event;
}

// The durable budgets of the [budget] table, or null for store = "memory". A durable store
// without exactly one identity key is refused before anything opens: a random per-process
// secret would name a key differently in every process and silently split its budget.
Result<std::shared_ptr<pkcs11::DurableBudgets>> open_budgets(const BudgetConfig& config) {
  if (config.store == BudgetStoreKind::Memory) return nullptr;
  if (config.identity_key_file.has_value() == config.identity_key_label.has_value()) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("budget: store = \"{}\" needs exactly one of identity_key_file / "
                            "identity_key_label (the budget identity key; docs/budgets.md)",
                            budget_store_name(config.store)));
  }
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<budget::BudgetStore> store,
                          budget::open_budget_store(config));
  return pkcs11::DurableBudgets::for_store(std::move(store),
                                           {.min = config.block_min, .max = config.block_max});
}

// Hands `budgets` and the identity key to the backend. The identity key's errors are
// ConfigInvalid (a missing or unsafe key file, no such HMAC key on the token): the backend
// does not start without it.
Result<void> attach_budgets(pkcs11::Pkcs11PassthroughBackend& backend, const BudgetConfig& config,
                            std::shared_ptr<pkcs11::DurableBudgets> budgets) {
  if (!budgets) return {};
  Result<std::unique_ptr<AuditMac>> identity =
      config.identity_key_file ? make_key_file_audit_mac(*config.identity_key_file)
                               : token_hmac(backend, *config.identity_key_label,
                                            "budget identity key", ErrorCode::ConfigInvalid);
  if (!identity) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("budget: the identity key: {}", identity.error().message()));
  }
  backend.use_durable_budgets(std::move(budgets), std::move(*identity));
  return {};
}

Result<std::unique_ptr<AuditMac>> audit_mac(const AuditConfig& config, Pkcs11Backend& backend) {
  if (config.key_file) return make_key_file_audit_mac(*config.key_file);
  if (!config.key_label) {
    return fail(ErrorCode::ConfigInvalid, "audit: set key_file or key_label for the chain key");
  }
  return make_token_audit_mac(backend, *config.key_label);
}

// The passthrough's administrative events (the pool's logins and rebuilds, key imports, GCM
// budget refusals) go through the relay, held until the trail is attached; its records name a
// material key by the fingerprint its caches and key-import events use.
Result<std::unique_ptr<Pkcs11Backend>> make_audited(
    Pkcs11PassthroughConfig config, std::shared_ptr<pkcs11::DurableBudgets> budgets) {
  const AuditConfig audit = *config.audit;
  const BudgetConfig budget = config.budget;
  auto relay = std::make_shared<audited::AuditRelay>();
  CRATON_ASSIGN_OR_RETURN(
      std::unique_ptr<pkcs11::Pkcs11PassthroughBackend> backend,
      pkcs11::Pkcs11PassthroughBackend::create(
          std::move(config),
          [relay](const pkcs11::PoolEvent& event) { relay->record(audit_event_of(event)); },
          [relay](AuditEvent event) { relay->record(std::move(event)); }));
  CRATON_RETURN_IF_ERROR(attach_budgets(*backend, budget, std::move(budgets)));
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<AuditMac> mac, audit_mac(audit, *backend));
  AuditOrigin origin;
  origin.backend = std::string(backend->name());
  origin.token_label = backend->token().uri.token.value_or("");
  origin.token_serial = backend->token().serial;
  origin.slot = backend->pool().slot();
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<AuditLog> log,
                          AuditLog::open(audit, std::move(mac), origin));
  // The decorator owns the backend, so the identity may hold it by reference.
  pkcs11::Pkcs11PassthroughBackend& passthrough = *backend;
  audited::KeyIdentity key_identity = [&passthrough](const Key& key) -> const Fingerprint& {
    return passthrough.fingerprint_of(key);
  };
  return std::make_unique<audited::AuditedPkcs11Backend>(std::move(backend), std::move(log),
                                                         std::move(relay), std::move(key_identity));
}

}  // namespace
}  // namespace craton::hsm::factory

namespace craton::hsm {

Result<std::unique_ptr<AuditMac>> make_token_audit_mac(Pkcs11Backend& backend,
                                                       const std::string& key_label) {
  return factory::token_hmac(backend, key_label, "audit key", ErrorCode::AuditUnavailable);
}

Result<std::unique_ptr<Pkcs11Backend>> make_pkcs11_backend(Pkcs11PassthroughConfig config) {
  // First: a durable store that cannot open (or has no identity key) touches no token.
  CRATON_ASSIGN_OR_RETURN(std::shared_ptr<pkcs11::DurableBudgets> budgets,
                          factory::open_budgets(config.budget));
  std::unique_ptr<Pkcs11Backend> backend;
  if (config.audit) {
    CRATON_ASSIGN_OR_RETURN(backend, factory::make_audited(std::move(config), std::move(budgets)));
  } else {
    const BudgetConfig budget = config.budget;
    CRATON_ASSIGN_OR_RETURN(std::unique_ptr<pkcs11::Pkcs11PassthroughBackend> passthrough,
                            pkcs11::Pkcs11PassthroughBackend::create(std::move(config)));
    CRATON_RETURN_IF_ERROR(factory::attach_budgets(*passthrough, budget, std::move(budgets)));
    backend = std::move(passthrough);
  }
  // Outermost, so an operation's latency is what the caller waits for, audit record included.
  return std::unique_ptr<Pkcs11Backend>(
      std::make_unique<pkcs11::MeteredPkcs11Backend>(std::move(backend)));
}

}  // namespace craton::hsm
