// SPDX-License-Identifier: Apache-2.0
// Creating the backend, and the key plumbing every operation shares: fingerprints, per-key
// state, the cache lookup and import.
#include "backends/pkcs11/passthrough_backend.h"

#include <craton/hsm/diagnostics.h>
#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/pkcs11_info.h>

#include <fmt/format.h>

#include "backends/pkcs11/key_import.h"
#include "backends/pkcs11/key_store.h"
#include "backends/pkcs11/token_options.h"
#include "keys/fingerprint.h"
#include "pkcs11/session/token.h"

namespace craton::hsm::pkcs11 {

Result<std::unique_ptr<Pkcs11PassthroughBackend>> Pkcs11PassthroughBackend::create(
    Pkcs11PassthroughConfig config, PoolEventHandler on_event, AdminEventHandler on_admin) {
  CRATON_ASSIGN_OR_RETURN(const TokenTarget target, open_configured_token(config));
  CRATON_ASSIGN_OR_RETURN(Capabilities capabilities,
                          Capabilities::probe(*target.module, target.slot, config));
  CRATON_ASSIGN_OR_RETURN(const TokenDescription token,
                          describe_token(*target.module, target.slot));
  TokenIdentity identity{.uri = token_uri_of(token), .serial = token.serial};
  PoolOptions options;
  options.pool_size = config.pool_size;
  options.acquire_timeout = config.acquire_timeout;
  options.operation_timeout = config.operation_timeout;
  options.breaker = {.threshold = config.breaker_threshold, .cooldown = config.breaker_cooldown};
  options.cache_capacity = config.cache_capacity;
  apply_vendor_profile(capabilities.vendor_profile(), *target.module, options);
  options.user_pin = std::move(config.user_pin);  // the pool keeps the only copy
  config.user_pin.reset();
  // Both the caller's handler (the audit mapping) and the public one see every event.
  auto observability = std::make_shared<Observability>();
  options.on_event = [observability, on_event = std::move(on_event)](const PoolEvent& event) {
    if (on_event) on_event(event);
    observability->on_pool_event(event);
  };
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<SessionPool> pool,
                          SessionPool::create(target.module, target.slot, std::move(options)));
  // Once, before anything is imported: whether material keys can be session objects here.
  capabilities.probe_session_objects(target.module, target.slot, *pool);
  std::unique_ptr<Pkcs11PassthroughBackend> backend(new Pkcs11PassthroughBackend(
      std::shared_ptr<SessionPool>(std::move(pool)), std::move(capabilities), std::move(identity),
      std::move(config), std::move(on_admin), std::move(observability)));
  return backend;
}

Pkcs11PassthroughBackend::Pkcs11PassthroughBackend(std::shared_ptr<SessionPool> pool,
                                                   Capabilities capabilities, TokenIdentity token,
                                                   Pkcs11PassthroughConfig config,
                                                   AdminEventHandler on_admin,
                                                   std::shared_ptr<Observability> observability)
    : pool_(std::move(pool)),
      capabilities_(std::move(capabilities)),
      token_(std::move(token)),
      config_(std::move(config)),
      limits_(config_.concurrency, static_cast<std::uint32_t>(pool_->size())),
      name_(fmt::format("pkcs11:{}", capabilities_.library_manufacturer())),
      memo_owner_(next_memo_owner_id()),
      import_policy_(config_.import_method,
                     capabilities_.vendor_profile().quirks.refuses_private_key_create),
      transport_keys_(pool_->size()),
      key_templates_(capabilities_.vendor_profile().quirks.minimal_key_templates) {
  on_admin_ = std::move(on_admin);
  observability_ = std::move(observability);
}

void Pkcs11PassthroughBackend::note_admin(AuditOperation operation, const KeyState& state,
                                          std::string detail) {
  if (!on_admin_) return;
  AuditEvent event;
  event.operation = operation;
  event.key.fingerprint = state.fingerprint.bytes;
  event.detail = std::move(detail);
  on_admin_(std::move(event));
}

Pkcs11PassthroughBackend::~Pkcs11PassthroughBackend() = default;

KeyState& Pkcs11PassthroughBackend::key_state(const KeyMaterial& material) {
  if (const MemoEntry* memo = material.memo.find(memo_owner_)) {
    return *static_cast<KeyState*>(memo->state);
  }
  const Fingerprint fingerprint =
      keys::keyed_fingerprint(material, keys::process_fingerprint_secret());
  KeyState* state = nullptr;
  {
    // Equal bytes in distinct Key objects share one state; the GCM count is the process's.
    const std::lock_guard lock(key_states_mutex_);
    auto& slot = key_states_[fingerprint];
    if (!slot) {
      slot = std::make_unique<KeyState>();
      slot->fingerprint = fingerprint;
      if (material.kind == KeyKind::Aes) slot->gcm = &GcmBudgets::process().counter(fingerprint);
    }
    state = slot.get();
  }
  return *static_cast<KeyState*>(material.memo.insert(memo_owner_, fingerprint, state)->state);
}

Result<CK_OBJECT_HANDLE> Pkcs11PassthroughBackend::resolve(Lease& lease,
                                                           const KeyMaterial& material,
                                                           KeyState& state, KeyUsage usage) {
  if (material.resident) return resolve_resident(lease, material, state);
  const CacheKey cache_key{state.fingerprint, usage};
  if (const auto hit = lease.keys().find(cache_key)) {
    observability_->cache_hits.fetch_add(1, std::memory_order_relaxed);
    return *hit;
  }
  observability_->cache_misses.fetch_add(1, std::memory_order_relaxed);
  // A token without session objects would refuse the import or keep it forever.
  if (!capabilities_.keeps_session_objects()) {
    CRATON_RETURN_IF_ERROR(capabilities_.require_session_objects(
        fmt::format("using a material {} key", key_kind_name(material.kind))));
  }
  // By C_CreateObject or C_UnwrapKey, as import_method (and what auto learnt) says.
  CRATON_ASSIGN_OR_RETURN(const ObjectOptions options,
                          session_import_options(material, usage, pool_->logs_in()));
  CRATON_ASSIGN_OR_RETURN(const CK_OBJECT_HANDLE object, store_object(lease, material, options));
  note_admin(AuditOperation::KeyImport, state, fmt::format("session {}", lease.index()));
  if (const auto evicted = lease.keys().insert(cache_key, object)) {
    observability_->cache_evictions.fetch_add(1, std::memory_order_relaxed);
    // The evicted object lives on this very session: destroy it here, now.
    if (auto destroyed = lease.call<Fn::DestroyObject>(*evicted); !destroyed) {
      report_diagnostic(destroyed.error());
    }
  }
  return object;
}

Result<CK_OBJECT_HANDLE> Pkcs11PassthroughBackend::store_object(Lease& lease,
                                                                const KeyMaterial& material,
                                                                const ObjectOptions& options) {
  const UnwrapImportContext context{.capabilities = capabilities_,
                                    .transport = transport_keys_,
                                    .generation = pool_->generation(),
                                    .private_objects = pool_->logs_in()};
  return store_key_object(lease, material, options, import_policy_, context);
}

Result<CK_OBJECT_HANDLE> Pkcs11PassthroughBackend::resolve_resident(Lease& lease,
                                                                    const KeyMaterial& material,
                                                                    KeyState& state) {
  const std::uint64_t stamp = resident_stamp();
  if (const auto handle = state.resident.get(stamp)) return *handle;
  const ResidentObject& object = *material.resident;
  if (object.token_serial != token_.serial) {
    return fail(ErrorCode::KeyNotFound,
                fmt::format("{} lives on the token with serial '{}'; this backend works on '{}'",
                            *object.uri, object.token_serial, token_.serial));
  }
  const std::uint64_t logins = pool_->counters().logins;
  Result<CK_OBJECT_HANDLE> handle = find_resident_object(lease, material, token_);
  const auto not_found = [&] {
    return !handle && handle.error().code() == ErrorCode::KeyNotFound && pool_->logs_in();
  };
  // Whether the login went away (or cannot be vouched for) since the search began.
  const auto login_moved = [&] {
    return pool_->counters().logins != logins || pool_->lost_login(lease);
  };
  bool moved = not_found() && login_moved();
  if (not_found() && !moved) {
    // Logged in now, but the login may have come back between the search and these checks
    // (another thread's C_Login returned before it was counted): the soak saw that. A second
    // search, under the login just seen, decides.
    handle = find_resident_object(lease, material, token_);
    moved = not_found() && login_moved();
  }
  if (moved) {
    // Logged out underneath (another part of the application called C_Logout, or the token
    // dropped the login), now or while the search ran (another thread has logged in again
    // since), or the token could not say: the token hid private keys, so "not found" is not an
    // answer. The session is rebuilt, which logs in, and the operation re-run
    // (SessionPool::run).
    HsmError lost(ErrorCode::NotLoggedIn,
                  fmt::format("the session lost its login while looking for {}; private keys "
                              "are hidden until the pool logs in again",
                              *object.uri));
    lease.note_failure(lost);
    return std::unexpected(std::move(lost));
  }
  if (!handle) return std::unexpected(std::move(handle).error());
  state.resident.set(*handle, stamp);
  return *handle;
}

void Pkcs11PassthroughBackend::forget(Lease& lease, const KeyMaterial& material, KeyState& state,
                                      KeyUsage usage) {
  if (material.resident) {
    state.resident.forget();
    return;
  }
  const auto object = lease.keys().take({state.fingerprint, usage});
  // Gone already, usually (CKR_OBJECT_HANDLE_INVALID is then the expected answer); but an
  // object the token merely refused must not stay on the session for its whole life.
  if (!object) return;
  if (auto destroyed = lease.call<Fn::DestroyObject>(*object);
      !destroyed && destroyed.error().code() != ErrorCode::KeyHandleInvalid) {
    report_diagnostic(destroyed.error());
  }
}

Result<void> Pkcs11PassthroughBackend::check_input_size(std::size_t size,
                                                        std::string_view what) const {
  if (size <= config_.max_message_bytes) return {};
  return fail(ErrorCode::DataLenRange, fmt::format("{} of {} bytes exceeds max_message_bytes ({})",
                                                   what, size, config_.max_message_bytes));
}

std::uint64_t Pkcs11PassthroughBackend::gcm_messages(const Key& key) {
  const KeyState& state = key_state(key.material());
  if (durable_budgets_) {
    DurableBudgets::Counter* counter = state.durable.load(std::memory_order_acquire);
    return counter != nullptr ? DurableBudgets::used(*counter) : 0;
  }
  return state.gcm != nullptr ? GcmBudgets::used(*state.gcm) : 0;
}

void Pkcs11PassthroughBackend::use_durable_budgets(std::shared_ptr<DurableBudgets> budgets,
                                                   std::unique_ptr<AuditMac> identity) {
  durable_budgets_ = std::move(budgets);
  budget_identity_ = std::move(identity);
}

Result<DurableBudgets::Counter*> Pkcs11PassthroughBackend::durable_counter(
    KeyState& state, const KeyMaterial& material) {
  DurableBudgets::Counter* counter = state.durable.load(std::memory_order_acquire);
  if (counter != nullptr && state.durable_join_from.load(std::memory_order_acquire) == nullptr) {
    return counter;
  }
  if (counter == nullptr) {
    // Outside the lock: a token identity key makes this an HMAC on the token (another lease).
    const SecretBytes input = keys::fingerprint_input(material);
    CRATON_ASSIGN_OR_RETURN(const auto mac, budget_identity_->mac(input.expose()));
    budget::KeyIdentity identity;
    identity.bytes = mac;
    counter = &durable_budgets_->counter(identity);
  }
  const std::lock_guard lock(durable_mutex_);
  if (DurableBudgets::Counter* from = state.durable_join_from.exchange(nullptr)) {
    durable_budgets_->share(*from, *counter);
  }
  state.durable.store(counter, std::memory_order_release);
  return counter;
}

}  // namespace craton::hsm::pkcs11
