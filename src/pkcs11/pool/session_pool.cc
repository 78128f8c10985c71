// SPDX-License-Identifier: Apache-2.0
// Building the pool, handing out and taking back leases, rebuilding dead sessions.
#include "pkcs11/pool/session_pool.h"

#include <craton/hsm/diagnostics.h>

#include <fmt/format.h>

#include "pkcs11/session/token.h"

namespace craton::hsm::pkcs11 {
namespace {

// Where this thread last found a free session in which pool: starting there keeps a thread
// on "its" session (and, with the CryptoBackend, on its warm key cache).
struct LastUsed {
  const SessionPool* pool = nullptr;
  std::size_t index = 0;
};
thread_local LastUsed last_used;

}  // namespace

Lease::~Lease() {
  if (pool_ != nullptr) pool_->release(*slot_);
}

SessionPool::SessionPool(std::shared_ptr<const Module> module, std::uint64_t slot,
                         PoolOptions options)
    : module_(std::move(module)),
      slot_(slot),
      options_(std::move(options)),
      logs_in_(options_.user_pin.has_value()),
      user_pin_(std::move(options_.user_pin)),
      breaker_(options_.breaker) {
  options_.user_pin.reset();  // one copy of the PIN: user_pin_
}

Result<std::unique_ptr<SessionPool>> SessionPool::create(std::shared_ptr<const Module> module,
                                                         std::uint64_t slot, PoolOptions options) {
  if (options.pool_size == 0) return fail(ErrorCode::ConfigInvalid, "pool_size: must be >= 1");
  CRATON_ASSIGN_OR_RETURN(const TokenDescription token, describe_token(*module, slot));

  std::unique_ptr<SessionPool> pool(new SessionPool(std::move(module), slot, std::move(options)));
  std::size_t size = pool->options_.pool_size;
  if (pool->options_.trust_reported_session_limit && token.max_rw_session_count &&
      *token.max_rw_session_count < size) {
    size = static_cast<std::size_t>(*token.max_rw_session_count);
  }
  if (pool->options_.vendor_max_sessions != 0 && pool->options_.vendor_max_sessions < size) {
    size = pool->options_.vendor_max_sessions;
  }
  if (size != pool->options_.pool_size) {
    pool->emit({.kind = PoolEventKind::SizeClamped,
                .requested_size = pool->options_.pool_size,
                .effective_size = size});
  }

  // Sessions are opened into the pool one by one; if anything fails, the pool's destructor
  // closes what was opened.
  pool->sessions_.reserve(size);
  for (std::size_t i = 0; i < size; ++i) {
    CRATON_ASSIGN_OR_RETURN(Session session, Session::open(pool->module_, slot));
    pool->counters_.sessions_opened.fetch_add(1, std::memory_order_relaxed);
    auto pooled = std::make_unique<PooledSession>(pool->options_.cache_capacity);
    pooled->session.emplace(std::move(session));
    pooled->index = i;
    pooled->epoch = pool->epoch_.load();
    pooled->module_generation = pool->module_->generation();
    pool->sessions_.push_back(std::move(pooled));
  }
  CRATON_RETURN_IF_ERROR(pool->ensure_logged_in(*pool->sessions_.front()->session));
  return pool;
}

SessionPool::~SessionPool() {
  for (auto& pooled : sessions_) {
    if (pooled->session && pooled->session->is_open()) {
      pooled->session.reset();  // Session's destructor closes and reports failures
      counters_.sessions_closed.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

PooledSession* SessionPool::try_lock_any() noexcept {
  const std::size_t n = sessions_.size();
  const std::size_t start = last_used.pool == this
                                ? last_used.index
                                : next_start_.fetch_add(1, std::memory_order_relaxed) % n;
  for (std::size_t i = 0; i < n; ++i) {
    PooledSession& candidate = *sessions_[(start + i) % n];
    // Read first: a busy session costs no cache-line transfer. seq_cst: the acquirer's half
    // of the recovery gate (SessionPool::recovering_).
    if (!candidate.busy.load(std::memory_order_relaxed) &&
        !candidate.busy.exchange(true, std::memory_order_seq_cst)) {
      last_used = {this, candidate.index};
      return &candidate;
    }
  }
  return nullptr;
}

Result<Lease> SessionPool::acquire(Deadline deadline) {
  if (login_latched_.load(std::memory_order_acquire)) {
    if (std::optional<HsmError> latched = latched_login_error()) {
      return std::unexpected(std::move(*latched));
    }
  }
  const CircuitBreaker::Decision decision = breaker_.admit();
  if (decision.admission == CircuitBreaker::Admission::Rejected) {
    counters_.breaker_rejections.fetch_add(1, std::memory_order_relaxed);
    return fail(ErrorCode::DeviceUnavailable,
                decision.retry_after.count() > 0
                    ? fmt::format("the token failed {} times in a row; calls fail fast for "
                                  "another {} ms before one probe tries it again",
                                  options_.breaker.threshold, decision.retry_after.count())
                    : std::string("the token failed repeatedly; a probe call is deciding "
                                  "whether it is back"));
  }
  if (decision.transition) note_transition(*decision.transition);
  const bool probe = decision.admission == CircuitBreaker::Admission::Probe;

  auto slot = wait_for_session(deadline);
  if (!slot) {
    if (probe) breaker_.abandon_probe();
    return std::unexpected(std::move(slot).error());
  }
  (*slot)->probe = probe;
  Lease lease(this, *slot);  // from here on, every exit path releases the session
  if (recovering_.load(std::memory_order_seq_cst)) {
    CRATON_RETURN_IF_ERROR(wait_out_recovery(**slot, deadline));
  }
  if ((*slot)->needs_rebuild || !(*slot)->session || is_stale(**slot)) {
    CRATON_RETURN_IF_ERROR(rebuild(**slot, deadline));
  }
  return lease;
}

Result<PooledSession*> SessionPool::wait_for_session(Deadline deadline) {
  if (PooledSession* slot = try_lock_any()) return slot;
  counters_.acquire_waits.fetch_add(1, std::memory_order_relaxed);
  const auto until =
      std::min(std::chrono::steady_clock::now() + options_.acquire_timeout, deadline.at());
  std::unique_lock lock(wait_mutex_);
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  PooledSession* slot = nullptr;
  while ((slot = try_lock_any()) == nullptr) {
    if (session_freed_.wait_until(lock, until) == std::cv_status::timeout) {
      slot = try_lock_any();
      if (slot != nullptr) break;
      waiters_.fetch_sub(1, std::memory_order_seq_cst);
      counters_.acquire_timeouts.fetch_add(1, std::memory_order_relaxed);
      return fail(ErrorCode::PoolTimeout,
                  until == deadline.at()
                      ? fmt::format("the operation's deadline ({} ms) passed while all {} "
                                    "sessions stayed busy",
                                    options_.operation_timeout.count(), sessions_.size())
                      : fmt::format("all {} sessions stayed busy for {} ms", sessions_.size(),
                                    options_.acquire_timeout.count()));
    }
  }
  waiters_.fetch_sub(1, std::memory_order_seq_cst);
  return slot;
}

void SessionPool::release(PooledSession& slot) noexcept {
  if (slot.probe) {
    // A probe that got an answer already moved the breaker; one that never reached the
    // token hands the probe to the next caller.
    slot.probe = false;
    breaker_.abandon_probe();
  }
  if (slot.operations.any()) {
    // Abandoned mid-operation (an early return, an exception, a CKR_BUFFER_TOO_SMALL left
    // unanswered) or ended in doubt: PKCS#11 v2.40 has no call that cancels an operation, so
    // the session is replaced before anyone else gets it.
    slot.operations.clear();
    slot.needs_rebuild = true;
    counters_.abandoned_operations.fetch_add(1, std::memory_order_relaxed);
  }
  slot.busy.store(false, std::memory_order_release);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (waiters_.load(std::memory_order_seq_cst) > 0) {
    const std::lock_guard lock(wait_mutex_);
    session_freed_.notify_one();
  }
}

Result<Session> SessionPool::open_session() {
  CRATON_ASSIGN_OR_RETURN(Session session, Session::open(module_, slot_));
  CRATON_RETURN_IF_ERROR(ensure_logged_in(session));
  return session;
}

Result<void> SessionPool::rebuild(PooledSession& slot, Deadline deadline) {
  // Close first: the old handle is dead or distrusted, and some tokens cap the session count.
  if (slot.session) {
    if (auto closed = slot.session->close(); !closed) report_diagnostic(closed.error());
    slot.session.reset();
    counters_.sessions_closed.fetch_add(1, std::memory_order_relaxed);
  }
  const std::uint64_t epoch = epoch_.load(std::memory_order_acquire);
  const std::uint64_t generation = module_->generation();
  auto fresh = open_session();
  if (!fresh && is_module_level(fresh.error().code())) {
    note_module_failure(epoch, fresh.error());
    if (auto recovered = recover_module(slot, generation, fresh.error(), deadline); recovered) {
      fresh = open_session();
    }
  } else if (fresh) {
    note_answer();
  }
  if (!fresh) {
    HsmError error = std::move(fresh).error();
    counters_.rebuild_failures.fetch_add(1, std::memory_order_relaxed);
    slot.needs_rebuild = true;
    emit(
        {.kind = PoolEventKind::SessionRebuildFailed, .session_index = slot.index, .error = error});
    return std::unexpected(std::move(error));
  }
  counters_.sessions_opened.fetch_add(1, std::memory_order_relaxed);
  slot.keys.clear();
  slot.ivs.clear();
  slot.operations.clear();
  slot.session.emplace(std::move(*fresh));
  slot.needs_rebuild = false;
  // A recovery above moved both on; the session just opened belongs to the new ones.
  slot.epoch = std::max(epoch, epoch_.load(std::memory_order_acquire));
  slot.module_generation = std::max(generation, module_->generation());
  counters_.sessions_rebuilt.fetch_add(1, std::memory_order_relaxed);
  if (OperationNotes* notes = ObservedOperation::current()) notes->session_recovered = true;
  emit({.kind = PoolEventKind::SessionRebuilt, .session_index = slot.index});
  return {};
}

PoolCounters SessionPool::counters() const noexcept {
  const auto get = [](const std::atomic<std::uint64_t>& value) {
    return value.load(std::memory_order_relaxed);
  };
  return {get(counters_.sessions_opened),
          get(counters_.sessions_closed),
          get(counters_.sessions_rebuilt),
          get(counters_.rebuild_failures),
          get(counters_.logins),
          get(counters_.acquire_waits),
          get(counters_.acquire_timeouts),
          get(counters_.retries),
          get(counters_.abandoned_operations),
          get(counters_.module_reinits),
          get(counters_.module_reinit_failures),
          get(counters_.breaker_opened),
          get(counters_.breaker_rejections),
          breaker_.state()};
}

std::string SessionPool::describe() const {
  const PoolCounters c = counters();
  return fmt::format(
      "SessionPool{{module={}, slot={}, size={}, user_pin={}, opened={}, closed={}, rebuilt={}, "
      "logins={}, waits={}, timeouts={}, retries={}}}",
      module_->path().string(), slot_, sessions_.size(),
      logs_in_ ? kRedacted : std::string_view("<unset>"), c.sessions_opened, c.sessions_closed,
      c.sessions_rebuilt, c.logins, c.acquire_waits, c.acquire_timeouts, c.retries);
}

void SessionPool::emit(const PoolEvent& event) const {
  if (options_.on_event) options_.on_event(event);
}

}  // namespace craton::hsm::pkcs11
