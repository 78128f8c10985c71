// SPDX-License-Identifier: Apache-2.0
// SessionPool: N logged-in sessions on one token, each owned by at most one lease at a time;
// dead sessions, and sessions left with an operation active, are rebuilt before they are
// handed out again.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/secret.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/operation_notes.h"
#include "pkcs11/cache/iv_reserve.h"
#include "pkcs11/cache/key_cache.h"
#include "pkcs11/pool/circuit_breaker.h"
#include "pkcs11/pool/pool_events.h"
#include "pkcs11/session/mechanism_names.h"
#include "pkcs11/session/operation_state.h"
#include "pkcs11/session/session.h"

namespace craton::hsm::pkcs11 {

struct PoolOptions {
  std::size_t pool_size = 8;
  // From the vendor profile: the token's real session limit when it reports none (YubiHSM 2:
  // 16; 0: none known), and whether the limit it reports in ulMaxRwSessionCount may be
  // trusted (openCryptoki reports 2^64-2).
  std::size_t vendor_max_sessions = 0;
  bool trust_reported_session_limit = true;
  std::chrono::milliseconds acquire_timeout{5000};
  std::size_t cache_capacity = 256;  // imported key objects per session
  // The user PIN; without one the pool never logs in. The pool takes this copy over and hands
  // exactly one copy to each C_Login, wiped right after the call.
  std::optional<SecretString> user_pin;
  // Called synchronously from the thread that caused the event, some from noexcept paths: it
  // must not throw.
  PoolEventHandler on_event;
  BreakerOptions breaker;
  // The longest run() may take in all, waits, rebuilds, re-initialisation and its one retry
  // included; zero leaves only acquire_timeout per acquire. A call already inside the module
  // cannot be interrupted: the deadline bounds everything around it.
  std::chrono::milliseconds operation_timeout{0};
  // Bringing back a lost module: up to `reinit_attempts` C_Finalize + C_Initialize cycles,
  // waiting reinit_backoff * 2^n (±50% jitter, so a fleet does not retry in lockstep) between.
  std::uint32_t reinit_attempts = 3;
  std::chrono::milliseconds reinit_backoff{50};
};

// One pooled session: the flag that gives it to one lease at a time, and the state that
// belongs to that session (its operations, imported keys and IV reserve), dropped whenever
// `session` is replaced: session objects die with their session.
struct PooledSession {
  explicit PooledSession(std::size_t cache_capacity) : keys(cache_capacity) {}
  // Set by the acquire that takes the session, cleared by the release of its lease. A flag,
  // not a mutex: a lease (a digest stream's, say) may be released on another thread than the
  // one that acquired it, and a thread holding a lease may look for a second session.
  std::atomic<bool> busy{false};
  // Everything below belongs to the lease holding `busy` (acquire/release ordering).
  std::optional<Session> session;
  bool needs_rebuild = false;
  // The pool epoch and module generation the session was opened under: older ones are gone.
  std::uint64_t epoch = 0;
  std::uint64_t module_generation = 0;
  bool probe = false;  // the lease holding it is the half-open breaker's probe
  // Set while the lease's thread waits for another thread's module recovery (at the recovery
  // gate in acquire, or for the recovery itself): it is not inside the module and will not
  // enter it before the recovery ends, so that recovery need not wait for it to come back, and
  // may close its session (seq_cst: see SessionPool::recovering_).
  std::atomic<bool> awaiting_recovery{false};
  ActiveOperations operations;
  std::size_t index = 0;
  KeyCache keys;
  IvReserve ivs;
};

class SessionPool;

// Exclusive use of one pooled session until destroyed, from any thread (one at a time). Every
// C_ call on the session goes through invoke() or call(), which
// - mark the session for rebuild when a call fails with a session-level error
//   (ErrorAction::RebuildSession, which includes CKR_OPERATION_ACTIVE),
// - track which operations a *Init started and no final call has ended (ActiveOperations):
//   a lease released with one still active, or in doubt, leaves its session marked for
//   rebuild, so no session is ever handed out with an operation active, and
// - note the mechanism a call starts in the notes of the operation an observer (the audit
//   decorator) watches on this thread, if any (core/operation_notes.h); the pool notes its
//   rebuilds and re-runs there too.
// Must not outlive its pool.
class Lease {
 public:
  Lease(Lease&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), slot_(other.slot_) {}
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  // Runs C_<F> on the session and returns its raw CK_RV, for callers that classify the answer
  // themselves (verification, AEAD tags, padding).
  template <Fn F, typename... Args>
  CK_RV invoke(Args... args) noexcept {
    if constexpr (takes_mechanism(F)) {
      if (OperationNotes* notes = ObservedOperation::current()) {
        notes->mechanism = mechanism_name(first_of(args...)->mechanism);
      }
    }
    const CK_RV rv = slot_->session->invoke<F>(args...);
    slot_->operations.note<F>(rv, args...);
    if (rv == CKR_OK) {
      note_answer();
    } else {
      note_failure_code(error_code_for(rv));
    }
    return rv;
  }

  // invoke(), with any answer but CKR_OK mapped to an HsmError.
  template <Fn F, typename... Args>
  Result<void> call(Args... args) {
    const CK_RV rv = invoke<F>(args...);
    if (rv == CKR_OK) return {};
    return std::unexpected(error_from_rv(rv, F));
  }

  // call(), for a caller that reads some answers its own way (a failed AEAD tag, bad padding,
  // a wrapped key failing its check): `classify(rv, mapped)` gets every answer but CKR_OK with
  // the error call() would return, and returns the std::unexpected<HsmError> to report. The
  // session's bookkeeping follows the raw answer, whatever `classify` makes of it.
  template <Fn F, typename Classify, typename... Args>
  Result<void> call_classified(Classify&& classify, Args... args) {
    static_assert(
        std::is_same_v<std::invoke_result_t<Classify, CK_RV, HsmError>, std::unexpected<HsmError>>,
        "classify(rv, mapped) returns fail(...) or std::unexpected(mapped)");
    const CK_RV rv = invoke<F>(args...);
    if (rv == CKR_OK) return {};
    return std::forward<Classify>(classify)(rv, error_from_rv(rv, F));
  }

  // For errors observed outside invoke(): marks the session dead when the error says so.
  void note_failure(const HsmError& error) noexcept { mark_if_dead(error.code()); }

  // For reading session state (handle, GetSessionInfo); C_ calls go through invoke()/call().
  [[nodiscard]] const Session& session() const noexcept { return *slot_->session; }
  [[nodiscard]] KeyCache& keys() noexcept { return slot_->keys; }
  [[nodiscard]] IvReserve& ivs() noexcept { return slot_->ivs; }
  [[nodiscard]] std::size_t index() const noexcept { return slot_->index; }

 private:
  // The functions whose first argument is the CK_MECHANISM of the operation.
  static constexpr bool takes_mechanism(Fn f) {
    return f == Fn::EncryptInit || f == Fn::DecryptInit || f == Fn::SignInit ||
           f == Fn::VerifyInit || f == Fn::DigestInit || f == Fn::GenerateKey ||
           f == Fn::GenerateKeyPair || f == Fn::WrapKey || f == Fn::UnwrapKey || f == Fn::DeriveKey;
  }
  template <typename First, typename... Rest>
  static First first_of(First first, Rest...) noexcept {
    return first;
  }

  void mark_if_dead(ErrorCode code) noexcept {
    if (error_action(code) == ErrorAction::RebuildSession || is_module_level(code)) {
      slot_->needs_rebuild = true;
    }
  }
  // The token answered: tells the breaker (defined below SessionPool; inline, hot path).
  void note_answer() noexcept;
  // A failed call: the session's fate, and the breaker's count when the module is gone (any
  // other answer proves the token is there).
  void note_failure_code(ErrorCode code) noexcept;

  friend class SessionPool;
  Lease(SessionPool* pool, PooledSession* slot) : pool_(pool), slot_(slot) {}
  SessionPool* pool_;
  PooledSession* slot_;
};

// Thread-safety: every member is safe to call from any thread. acquire() never spins and
// never waits longer than the timeout. Sessions are never logged out by the pool; login
// state belongs to the application (PKCS#11 v2.40 §5.6), so it logs in once per token.
// A login refused for its PIN (PinIncorrect, PinLocked, PinExpired, PinInvalid) latches the
// pool: no C_Login is tried again, and every acquire() fails with that error, until
// set_user_pin() supplies a new PIN. Retrying a wrong PIN would lock the token.
class SessionPool {
 public:
  // Opens min(pool_size, token's ulMaxRwSessionCount unless untrusted, vendor_max_sessions)
  // sessions and logs in once. Emits SizeClamped when the token forced a smaller pool. Errors: the
  // mapped C_OpenSession / C_Login failure (e.g. PinIncorrect); nothing stays open on failure.
  static Result<std::unique_ptr<SessionPool>> create(std::shared_ptr<const Module> module,
                                                     std::uint64_t slot, PoolOptions options);
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;
  ~SessionPool();

  // When a run() must end: its operation_timeout from now, or never.
  class Deadline {
   public:
    using Clock = std::chrono::steady_clock;
    static Deadline none() { return Deadline(Clock::time_point::max()); }
    static Deadline in(std::chrono::milliseconds from_now) {
      return Deadline(Clock::now() + from_now);
    }
    [[nodiscard]] Clock::time_point at() const noexcept { return at_; }
    [[nodiscard]] bool passed() const {
      return at_ != Clock::time_point::max() && Clock::now() >= at_;
    }

   private:
    explicit Deadline(Clock::time_point at) : at_(at) {}
    Clock::time_point at_;
  };

  // A lease on a free session, rebuilding it first if it is known dead or was opened before
  // the token or module was lost. Errors: the latched login error, at once; DeviceUnavailable,
  // at once, while the circuit breaker is open; PoolTimeout after the configured
  // acquire_timeout (or at `deadline`, if sooner); the rebuild failure otherwise.
  [[nodiscard]] Result<Lease> acquire(Deadline deadline = Deadline::none());

  // Replaces the PIN the pool logs in with and lifts a login latch. Then takes a session and,
  // when the token has no logged-in session left, logs in with the new PIN at once, so a
  // wrong one is reported here (and latches again) rather than by the next operation.
  // Errors: InvalidArgument for an empty PIN or a pool created without one; the login's
  // error; acquire()'s errors (the PIN is kept and tried by the next login that is needed).
  Result<void> set_user_pin(SecretString pin);

  // Runs `op(Lease&) -> Result<T>` on a session; if it fails because the session (or login)
  // died, runs it once more on a rebuilt session. Other failures return unchanged.
  // Only for operations that are safe to repeat (sign, verify, decrypt, digest, random, an
  // encryption that draws a fresh IV and GCM count inside `op`): never for calls that change
  // the token. The whole run keeps to options.operation_timeout when one is set.
  template <typename Op>
  auto run(Op&& op) -> decltype(op(std::declval<Lease&>())) {
    const Deadline deadline = operation_deadline();
    for (int attempt = 0;; ++attempt) {
      auto lease = acquire(deadline);
      if (!lease) return std::unexpected(std::move(lease).error());
      auto result = op(*lease);
      if (result || attempt > 0 || !worth_retrying(result.error()) || deadline.passed()) {
        return result;
      }
      lease->note_failure(result.error());
      note_retry(lease->index(), result.error());
    }
  }

  // Whether `lease`'s session ought to run with user rights (the pool logs in) and has none:
  // someone logged the application out, or the token lost the login. Private objects are then
  // invisible, so a search that found nothing proves nothing. False when the module cannot say
  // (no C_GetSessionInfo); true when the question fails otherwise (the login is then unknown).
  [[nodiscard]] bool lost_login(const Lease& lease) const;

  [[nodiscard]] std::size_t size() const noexcept { return sessions_.size(); }
  // Whether the pool logs in (it holds a PIN), so objects may be CKA_PRIVATE.
  [[nodiscard]] bool logs_in() const noexcept { return logs_in_; }
  [[nodiscard]] std::uint64_t slot() const noexcept { return slot_; }
  [[nodiscard]] const Module& module() const noexcept { return *module_; }
  [[nodiscard]] PoolCounters counters() const noexcept;
  // Changes whenever a session is rebuilt. Token-object handles resolved under an older
  // generation may be stale (a token removed and reinserted hands out new ones), so resolution
  // caches compare it before trusting a handle.
  [[nodiscard]] std::uint64_t generation() const noexcept {
    return counters_.sessions_rebuilt.load(std::memory_order_acquire);
  }
  // One line for logs: slot, size, whether a PIN is held (never the PIN), counters.
  [[nodiscard]] std::string describe() const;

 private:
  SessionPool(std::shared_ptr<const Module> module, std::uint64_t slot, PoolOptions options);
  PooledSession* try_lock_any() noexcept;
  Result<PooledSession*> wait_for_session(Deadline deadline);
  [[nodiscard]] Deadline operation_deadline() const {
    return options_.operation_timeout.count() > 0 ? Deadline::in(options_.operation_timeout)
                                                  : Deadline::none();
  }
  // Dead sessions and a lost module are worth one more try; a request the token refused is not.
  static bool worth_retrying(const HsmError& error) noexcept {
    return error.action() == ErrorAction::RebuildSession || is_module_level(error.code());
  }
  void note_retry(std::size_t session_index, const HsmError& cause);
  // The breaker's bookkeeping for one answer from the token (hot path: one relaxed load).
  void note_answer() {
    if (const auto transition = breaker_.on_answer()) note_transition(*transition);
  }
  // A module-level failure seen on a session of pool epoch `seen_epoch`. Only the first report
  // of an epoch counts towards the breaker: many threads failing on one outage are one failure.
  void note_module_failure(std::uint64_t seen_epoch, const HsmError& error);
  void note_transition(PoolEventKind transition);
  // Whether the session was opened under an older pool epoch or module generation.
  [[nodiscard]] bool is_stale(const PooledSession& slot) const noexcept {
    return slot.epoch != epoch_.load(std::memory_order_acquire) ||
           slot.module_generation != module_->generation();
  }
  // Opens a session and logs it in (if the pool logs in).
  Result<Session> open_session();
  // C_Finalize + C_Initialize after the module was lost, with backoff, once every other lease
  // is back or waiting; `held` is the caller's own session, `seen` the module generation its
  // failed C_OpenSession ran under. Single-flight: when the generation moved past `seen`,
  // another thread already brought the module back and nothing is done.
  Result<void> recover_module(PooledSession& held, std::uint64_t seen, const HsmError& cause,
                              Deadline deadline);
  // Recovery's side of the gate: waits (bounded) until every other session is idle, and takes
  // it, or held by a thread waiting for this recovery; closes their sessions while the module
  // they belong to is still initialised (after C_Finalize + C_Initialize a module may hand the
  // same handle numbers out again, SoftHSM2 does, so closing an old handle then could close
  // another thread's new session). The idle sessions taken land in `taken`.
  Result<void> take_over_sessions(const PooledSession& held, const HsmError& cause,
                                  Deadline deadline, std::vector<PooledSession*>& taken);
  // Opens the gate again: gives back `taken`, lets waiting acquirers in.
  void end_recovery(const std::vector<PooledSession*>& taken) noexcept;
  // The acquirer's side of the gate: with `slot` taken, waits while a module recovery runs
  // (bounded by acquire_timeout and `deadline`: PoolTimeout). Never enters the module.
  Result<void> wait_out_recovery(PooledSession& slot, Deadline deadline);
  void release(PooledSession& slot) noexcept;
  Result<void> rebuild(PooledSession& slot, Deadline deadline);
  Result<void> ensure_logged_in(const Session& session);
  // The login error the pool is latched on, if any.
  std::optional<HsmError> latched_login_error();
  void emit(const PoolEvent& event) const;

  friend class Lease;

  struct AtomicCounters {
    std::atomic<std::uint64_t> sessions_opened{0};
    std::atomic<std::uint64_t> sessions_closed{0};
    std::atomic<std::uint64_t> sessions_rebuilt{0};
    std::atomic<std::uint64_t> rebuild_failures{0};
    std::atomic<std::uint64_t> logins{0};
    std::atomic<std::uint64_t> acquire_waits{0};
    std::atomic<std::uint64_t> acquire_timeouts{0};
    std::atomic<std::uint64_t> retries{0};
    std::atomic<std::uint64_t> abandoned_operations{0};
    std::atomic<std::uint64_t> module_reinits{0};
    std::atomic<std::uint64_t> module_reinit_failures{0};
    std::atomic<std::uint64_t> breaker_opened{0};
    std::atomic<std::uint64_t> breaker_rejections{0};
  };

  std::shared_ptr<const Module> module_;
  std::uint64_t slot_;
  PoolOptions options_;  // without the PIN, which user_pin_ holds
  const bool logs_in_;
  std::vector<std::unique_ptr<PooledSession>> sessions_;
  // Where the next thread new to this pool starts looking: round-robin, so the first
  // pool_size threads each settle on a session of their own.
  std::atomic<std::size_t> next_start_{0};

  // Waiting for a free session: waiters_ is raised before the last sweep so that a release
  // either is seen by that sweep or sees the waiter and notifies (no lost wake-ups).
  std::mutex wait_mutex_;
  std::condition_variable session_freed_;
  std::atomic<std::size_t> waiters_{0};

  // Single-flight C_Login; guards the PIN and the latch.
  std::mutex login_mutex_;
  std::optional<SecretString> user_pin_;
  std::optional<HsmError> latched_login_;
  // Mirrors latched_login_.has_value() so that acquire() checks it without the mutex.
  std::atomic<bool> login_latched_{false};
  AtomicCounters counters_;
  CircuitBreaker breaker_;
  // Moves when the module is found lost: every session opened before is rebuilt on acquire.
  std::atomic<std::uint64_t> epoch_{1};
  std::mutex recovery_mutex_;  // one module recovery at a time
  // The recovery gate. C_Finalize while another thread calls the module is undefined
  // (v2.40 §5.4), so while a recovery runs no lease may enter the module. Dekker-style, both
  // sides seq_cst: the recoverer sets recovering_ and then reads every session's busy flag; an
  // acquirer sets busy and then reads recovering_. Either the acquirer sees the recovery and
  // waits (awaiting_recovery set, on recovered_), or the recoverer sees it busy and waits for
  // it to come back or to start waiting.
  std::atomic<bool> recovering_{false};
  std::mutex gate_mutex_;
  std::condition_variable recovered_;
};

inline void Lease::note_answer() noexcept {
  pool_->note_answer();
}

inline std::ostream& operator<<(std::ostream& out, const SessionPool& pool) {
  return out << pool.describe();
}

}  // namespace craton::hsm::pkcs11

template <>
struct fmt::formatter<craton::hsm::pkcs11::SessionPool> : fmt::formatter<std::string_view> {
  auto format(const craton::hsm::pkcs11::SessionPool& pool, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(pool.describe(), ctx);
  }
};
