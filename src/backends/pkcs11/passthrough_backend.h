// SPDX-License-Identifier: Apache-2.0
// Pkcs11PassthroughBackend: CryptoBackend delegating every operation to the vendor token.
// Each operation takes one pooled session, finds or imports its key in that session's cache,
// and runs the C_ calls, all under the session's one mutex (no TOCTOU window between lookup
// and use). Operation families live in one file each.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/config.h>
#include <craton/hsm/pkcs11_backend.h>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "backends/pkcs11/capabilities.h"
#include "backends/pkcs11/concurrency_limits.h"
#include "backends/pkcs11/import_policy.h"
#include "backends/pkcs11/observability.h"
#include "backends/pkcs11/resident_keygen.h"
#include "backends/pkcs11/resident_lookup.h"
#include "backends/pkcs11/transport_key.h"
#include "backends/pkcs11/vendor_rules.h"
#include "keys/fingerprint_memo.h"
#include "keys/key_material.h"
#include "pkcs11/cache/durable_budgets.h"
#include "pkcs11/cache/gcm_budgets.h"
#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {

// A resident key's object handle and the resolution stamp it was proven under, read together
// without a lock: get() returns a handle only when the stamp it was stored with is `stamp`, and
// never a handle stored under another stamp (writers store stamp 0, the handle, then the stamp,
// one at a time; a reader checks the stamp before and after reading the handle).
class ResidentHandle {
 public:
  [[nodiscard]] std::optional<CK_OBJECT_HANDLE> get(std::uint64_t stamp) const noexcept {
    if (stamp_.load() != stamp) return std::nullopt;
    const CK_OBJECT_HANDLE handle = handle_.load();
    if (stamp_.load() != stamp) return std::nullopt;
    return handle;
  }
  void set(CK_OBJECT_HANDLE handle, std::uint64_t stamp) {
    const std::lock_guard lock(writer_);
    stamp_.store(0);
    handle_.store(handle);
    stamp_.store(stamp);
  }
  void forget() noexcept { stamp_.store(0); }

 private:
  std::mutex writer_;
  std::atomic<CK_OBJECT_HANDLE> handle_{CK_INVALID_HANDLE};
  std::atomic<std::uint64_t> stamp_{0};  // 0: none
};

// What the backend keeps per distinct key (by fingerprint), shared by all its sessions and
// never evicted.
struct KeyState {
  Fingerprint fingerprint;  // keyed with process_fingerprint_secret: one per key per process
  // AES keys: the key's process-wide GCM message count (null for other kinds). Evicting and
  // re-importing a key resumes it (seed: "Sticky high-water marks").
  GcmBudgets::Counter* gcm = nullptr;
  // With a durable budget store, instead: the key's counter there, set on its first encryption
  // (its identity is an HMAC under the budget identity key, which may be a token call).
  std::atomic<DurableBudgets::Counter*> durable{nullptr};
  // A resident key stored from material (durable stores): the material's counter, joined into
  // this key's on its first encryption (DurableBudgets::share).
  std::atomic<DurableBudgets::Counter*> durable_join_from{nullptr};
  // Resident keys: the token object's handle, valid in every session, while resident_stamp()
  // is what it was proven under.
  ResidentHandle resident;
  // Resident private keys: the token's public object of the pair (resident_public.cc), under
  // the same rule.
  ResidentHandle public_half;
};

class Pkcs11PassthroughBackend final : public Pkcs11Backend {
 public:
  // Administrative events for an audit trail (key imports, GCM budget refusals), called on the
  // thread that caused them.
  using AdminEventHandler = std::function<void(AuditEvent)>;
  // `on_event` (optional) receives the pool's events (its logins and rebuilds), `on_admin`
  // (optional) the backend's own administrative events.
  static Result<std::unique_ptr<Pkcs11PassthroughBackend>> create(Pkcs11PassthroughConfig config,
                                                                  PoolEventHandler on_event = {},
                                                                  AdminEventHandler on_admin = {});
  Pkcs11PassthroughBackend(const Pkcs11PassthroughBackend&) = delete;
  Pkcs11PassthroughBackend& operator=(const Pkcs11PassthroughBackend&) = delete;
  ~Pkcs11PassthroughBackend() override;

  [[nodiscard]] std::string_view name() const noexcept override { return name_; }

  Result<Bytes> sign(const Key& key, SignScheme scheme, ByteView message,
                     SignatureEncoding encoding) override;
  Result<Bytes> sign_digest(const Key& key, SignScheme scheme, ByteView digest,
                            SignatureEncoding encoding) override;
  Result<VerifyOutcome> verify(const Key& key, SignScheme scheme, ByteView message,
                               ByteView signature, SignatureEncoding encoding) override;
  Result<VerifyOutcome> verify_digest(const Key& key, SignScheme scheme, ByteView digest,
                                      ByteView signature, SignatureEncoding encoding) override;
  Result<std::size_t> aes_gcm_encrypt_into(const Key& key, ByteView plaintext, ByteView aad,
                                           std::span<std::uint8_t> sealed_out) override;
  Result<std::size_t> aes_gcm_decrypt_into(const Key& key, ByteView sealed, ByteView aad,
                                           std::span<std::uint8_t> plaintext_out) override;
  Result<Bytes> aes_cbc_encrypt(const Key& key, ByteView iv, ByteView plaintext) override;
  Result<SecretBytes> aes_cbc_decrypt(const Key& key, ByteView iv, ByteView ciphertext) override;
  Result<Bytes> aes_ctr(const Key& key, ByteView iv, ByteView data) override;
  Result<Bytes> rsa_oaep_encrypt(const Key& key, HashAlg hash, ByteView plaintext,
                                 ByteView label) override;
  Result<SecretBytes> rsa_oaep_decrypt(const Key& key, HashAlg hash, ByteView ciphertext,
                                       ByteView label) override;
  Result<Bytes> wrap_key(const Key& kek, KeyWrapScheme scheme,
                         const SecretBytes& key_to_wrap) override;
  Result<SecretBytes> unwrap_key(const Key& kek, KeyWrapScheme scheme, ByteView wrapped) override;
  Result<SecretBytes> ecdh(const Key& private_key, const Key& peer_public) override;
  Result<Bytes> hmac(const Key& key, HashAlg hash, ByteView message) override;
  Result<VerifyOutcome> hmac_verify(const Key& key, HashAlg hash, ByteView message,
                                    ByteView tag) override;
  Result<Bytes> digest(HashAlg hash, ByteView data) override;
  Result<std::unique_ptr<DigestStream>> digest_stream(HashAlg hash) override;
  Result<Bytes> random(std::size_t size) override;
  Result<Key> generate_key(KeyAlgorithm algorithm) override;

  Result<Key> generate_resident_key(const ResidentKeySpec& spec) override;
  Result<Key> import_resident_key(const Key& material, const ResidentKeySpec& spec) override;
  Result<Key> find_key(const KeyRef& ref) override;
  Result<std::vector<ResidentKeyInfo>> list_keys() override;
  Result<std::vector<TokenObjectInfo>> list_objects(const ObjectQuery& query) override;
  Result<TokenObjectInfo> import_certificate(std::span<const std::uint8_t> der,
                                             const CertificateSpec& spec) override;
  Result<std::vector<std::uint8_t>> export_certificate(const KeyRef& ref) override;
  Result<std::vector<std::uint8_t>> export_public_key(const KeyRef& ref) override;
  Result<void> destroy_key(const KeyRef& ref) override;
  [[nodiscard]] std::string token_uri() const override;
  [[nodiscard]] Result<Pkcs11Uri> describe_location() const override;
  Result<void> set_user_pin(SecretString pin) override;
  [[nodiscard]] TokenCapabilities capabilities() const override {
    TokenCapabilities described = capabilities_.describe();
    describe_import(import_policy_, described);
    return described;
  }

  // Observability (stats.cc, health.cc). stats() leaves `operations` empty: the factory's
  // MeteredPkcs11Backend, which times every public call, fills it in.
  [[nodiscard]] BackendStats stats() const override;
  [[nodiscard]] Health health() override;
  void set_event_handler(ReliabilityEventHandler handler) override {
    observability_->set_handler(std::move(handler));
  }

  // For tests and diagnostics.
  [[nodiscard]] const SessionPool& pool() const noexcept { return *pool_; }
  [[nodiscard]] const Module& module() const noexcept { return pool_->module(); }
  [[nodiscard]] const Capabilities& token_capabilities() const noexcept { return capabilities_; }
  // The vendor profile in force (config vendor_profile / [vendor_quirks], docs/vendors/).
  [[nodiscard]] const vendor::VendorProfile& vendor_profile() const noexcept {
    return capabilities_.vendor_profile();
  }
  // How secret and private keys reach the token now (import_method, and what auto mode has
  // learnt): docs/import-by-unwrap.md.
  [[nodiscard]] const ImportPolicy& import_policy() const noexcept { return import_policy_; }
  // The per-session RSA transport keys of import by unwrap (how many were generated).
  [[nodiscard]] const TransportKeys& transport_keys() const noexcept { return transport_keys_; }
  // Whether a key of `kind` goes to the token by C_UnwrapKey now instead of C_CreateObject.
  [[nodiscard]] bool imports_by_unwrap(KeyKind kind) const noexcept {
    const auto key_class = import_class(kind);
    return key_class && import_policy_.by_unwrap(*key_class);
  }
  // The number of GCM encryptions counted so far for `key`, in this whole process (with a
  // durable store: the store's count at the last reservation, less what this process holds
  // unspent; 0 before the key's first encryption).
  [[nodiscard]] std::uint64_t gcm_messages(const Key& key);
  // From now on GCM budgets are counted in `budgets` (a durable store, docs/budgets.md), each
  // key named there by HMAC-SHA-256 of its fingerprint input under `identity` (the budget
  // identity key). Call once, before the backend is used; without it budgets stay in memory.
  void use_durable_budgets(std::shared_ptr<DurableBudgets> budgets,
                           std::unique_ptr<AuditMac> identity);
  // The durable budgets in use, or null (memory).
  [[nodiscard]] const DurableBudgets* durable_budgets() const noexcept {
    return durable_budgets_.get();
  }
  // The keyed fingerprint this backend knows `key` by (memoised: cheap after the first call).
  [[nodiscard]] const Fingerprint& fingerprint_of(const Key& key) {
    return key_state(key.material()).fingerprint;
  }
  [[nodiscard]] const TokenIdentity& token() const noexcept { return token_; }

 private:
  Pkcs11PassthroughBackend(std::shared_ptr<SessionPool> pool, Capabilities capabilities,
                           TokenIdentity token, Pkcs11PassthroughConfig config,
                           AdminEventHandler on_admin,
                           std::shared_ptr<Observability> observability);
  // health() past its cache: the breaker, a probe and the recent recoveries.
  Health evaluate_health(std::chrono::steady_clock::time_point now);
  // An administrative event for the audit trail, when there is one.
  void note_admin(AuditOperation operation, const KeyState& state, std::string detail = {});

  // The key's counter in the durable store (use_durable_budgets), made on first use.
  // Errors: those of the identity key's MAC (a token HMAC may fail like any token call).
  Result<DurableBudgets::Counter*> durable_counter(KeyState& state, const KeyMaterial& material);
  // The KeyUsageLimitExceeded refusal, audited as GcmBudgetRefused.
  HsmError refuse_gcm(const KeyState& state);
  // The key's fingerprint and shared state: memoised on the key, so the hot path neither
  // rehashes key bytes nor takes a lock.
  KeyState& key_state(const KeyMaterial& material);
  // The object for `material` with `usage` on the lease's session. Material keys: a cache
  // hit, or an import recorded in the cache (destroying the least recently used object when
  // full). Resident keys: the handle proven under the current stamp, or found and proven again.
  Result<CK_OBJECT_HANDLE> resolve(Lease& lease, const KeyMaterial& material, KeyState& state,
                                   KeyUsage usage);
  Result<CK_OBJECT_HANDLE> resolve_resident(Lease& lease, const KeyMaterial& material,
                                            KeyState& state);
  // Drops what resolve() remembered after the token called the handle invalid (an imported
  // object is destroyed too: the token may have disowned it without deleting it).
  static void forget(Lease& lease, const KeyMaterial& material, KeyState& state, KeyUsage usage);
  // Resident handles are trusted while this is unchanged: it moves when the pool rebuilds a
  // session (a reinserted token hands out new handles) and when any backend of the process
  // destroys a key (a destroyed object's handle may be handed to a new object).
  [[nodiscard]] std::uint64_t resident_stamp() const noexcept {
    return pool_->generation() + resident_epoch_.load(std::memory_order_acquire) + 1;
  }
  // Puts `material` on the lease's session as `options` say, by create or unwrap as the import
  // policy says (key_store.h).
  Result<CK_OBJECT_HANDLE> store_object(Lease& lease, const KeyMaterial& material,
                                        const ObjectOptions& options);
  // Builds the Key for a resident object just found or created (and audits nothing itself).
  Result<Key> load_resident(Lease& lease, CK_OBJECT_HANDLE object,
                            const KeyUsages& extra_usages = {});
  // generate_resident_key and import_resident_key: `create` makes the objects on a lease that
  // is never re-run by the pool; whatever this call made is removed again when a later step
  // fails, and OutcomeUnknown says so when that cannot be proven.
  using CreateObjects = std::function<Result<void>(Lease&, CreatedObjects&)>;
  // LoginRequired when this backend holds no PIN and the config does not allow persistent
  // private and secret keys without one (allow_keys_without_login); `action` starts the
  // message ("generating").
  Result<void> require_login_for_keys(std::string_view action, const ResidentKeySpec& spec) const;
  Result<Key> create_resident(const ResidentKeySpec& spec, const CreateObjects& create);
  // After creating failed: removes what `created` names (on a fresh session), and checks what
  // the token holds when the failing call may have created objects it never reported or a
  // handle in `created` is no longer known to the token.
  Result<Key> undo_creation(const ResidentKeySpec& spec, const CreatedObjects& created,
                            bool outcome_unknown, HsmError error);
  // After destroying failed: checks (on a fresh session) which of `doomed` remain. None gone:
  // `error`; all gone: success; some: OutcomeUnknown saying how many remain. A handle the
  // token no longer knows counts as gone only when nothing answers to `ref` any more (a
  // reinserted token numbers its objects afresh).
  Result<void> check_destroyed(const KeyRef& ref, const std::vector<CK_OBJECT_HANDLE>& doomed,
                               HsmError error);
  Result<void> check_input_size(std::size_t size, std::string_view what) const;
  // What sign/sign_digest and verify/verify_digest share once their inputs are checked;
  // `is_digest` picks the mechanism that takes a caller-computed digest.
  Result<Bytes> sign_checked(const Key& key, SignScheme scheme, ByteView data, bool is_digest,
                             SignatureEncoding encoding);
  // aes_gcm_decrypt_into past the overlap check; the caller wipes the output when it fails.
  Result<std::size_t> gcm_decrypt_checked(const Key& key, ByteView sealed, ByteView aad,
                                          std::span<std::uint8_t> plaintext_out);
  Result<VerifyOutcome> verify_checked(const Key& key, SignScheme scheme, ByteView data,
                                       bool is_digest, ByteView signature,
                                       SignatureEncoding encoding);

  // The object a public-key operation (`usage`: Verify or Encrypt) runs on for `key`. For a
  // resident private key: the token's public object of its pair (same CKA_ID, else same
  // label; class public; the Key's public value; `usage` not refused), remembered under
  // resident_stamp(); only when the token has none, the public half imported as a session
  // object (MechanismUnsupported on a token that keeps none). Any other key: its public half,
  // resolved as resolve() does.
  Result<CK_OBJECT_HANDLE> resolve_public(Lease& lease, const Key& key, KeyUsage usage);
  void forget_public(Lease& lease, const Key& key, KeyUsage usage);

  // pool_->run(op) within the concurrency limit of `value`'s class: on this thread, or on one
  // that holds a place and runs the queued operations (concurrency_gate.h), which then runs it
  // with this operation's notes and hands back its result or exception.
  template <typename Op>
  auto run_limited(OperationClass value, Op&& op)
      -> decltype(std::declval<SessionPool&>().run(std::forward<Op>(op))) {
    if (!limits_.limited(value)) return pool_->run(std::forward<Op>(op));
    std::optional<decltype(pool_->run(std::forward<Op>(op)))> result;
    std::exception_ptr thrown;
    OperationNotes* const notes = ObservedOperation::current();
    auto task = [&]() noexcept {
      const ObservedOperation observed(notes);
      try {
        result.emplace(pool_->run(op));
      } catch (...) {
        thrown = std::current_exception();
      }
    };
    CRATON_RETURN_IF_ERROR(limits_.run(value, config_.acquire_timeout, GateTask(task)));
    if (thrown) std::rethrow_exception(thrown);
    return std::move(*result);
  }

  // with_key for public-key operations: op(lease, object) on resolve_public's object.
  template <typename T, typename Op>
  Result<T> with_public_key(const Key& key, KeyUsage usage, Op&& op) {
    return run_limited(operation_class(key.kind()), [&](Lease& lease) -> Result<T> {
      CRATON_ASSIGN_OR_RETURN(const CK_OBJECT_HANDLE object, resolve_public(lease, key, usage));
      Result<T> result = op(lease, object);
      if (result || result.error().action() != ErrorAction::ReResolveKey) return result;
      forget_public(lease, key, usage);
      CRATON_ASSIGN_OR_RETURN(const CK_OBJECT_HANDLE fresh, resolve_public(lease, key, usage));
      return op(lease, fresh);
    });
  }

  // Runs op(lease, object) with `key` resolved for `usage`; a stale object handle is
  // re-imported once, a dead session rebuilt and the whole operation retried once.
  template <typename T, typename Op>
  Result<T> with_key(const Key& key, KeyUsage usage, Op&& op) {
    KeyState& state = key_state(key.material());
    return run_limited(operation_class(key.kind()), [&](Lease& lease) -> Result<T> {
      CRATON_ASSIGN_OR_RETURN(const CK_OBJECT_HANDLE object,
                              resolve(lease, key.material(), state, usage));
      Result<T> result = op(lease, object);
      if (result || result.error().action() != ErrorAction::ReResolveKey) return result;
      forget(lease, key.material(), state, usage);
      CRATON_ASSIGN_OR_RETURN(const CK_OBJECT_HANDLE fresh,
                              resolve(lease, key.material(), state, usage));
      return op(lease, fresh);
    });
  }

  std::shared_ptr<SessionPool> pool_;  // shared with digest streams, which hold a lease
  Capabilities capabilities_;          // with the vendor profile in force
  TokenIdentity token_;
  Pkcs11PassthroughConfig config_;  // without the PIN, which the pool holds
  ConcurrencyLimits limits_;
  std::string name_;
  const std::uint64_t memo_owner_;
  inline static std::atomic<std::uint64_t> resident_epoch_{0};  // see resident_stamp()
  mutable std::mutex key_states_mutex_;  // mutable: stats() reads the GCM counts
  std::unordered_map<Fingerprint, std::unique_ptr<KeyState>, FingerprintHash> key_states_;
  AdminEventHandler on_admin_;  // empty without an audit trail
  // Durable budgets (null: memory), set once before use.
  std::shared_ptr<DurableBudgets> durable_budgets_;
  std::unique_ptr<AuditMac> budget_identity_;
  std::mutex durable_mutex_;  // making a key's durable counter (durable_counter)
  // Shared with the pool's event handler, which may outlive no backend but exists before it.
  std::shared_ptr<Observability> observability_;
  ImportPolicy import_policy_;
  TransportKeys transport_keys_;
  // Which key-generation template the token takes (strict_templates.h).
  KeyTemplateChoice key_templates_;

  friend class KeyImporter;
};

}  // namespace craton::hsm::pkcs11
