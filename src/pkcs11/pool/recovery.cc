// SPDX-License-Identifier: Apache-2.0
// How the pool rides through a lost token or module: the circuit breaker's bookkeeping, the
// retry events, and bringing a lost module back with C_Finalize + C_Initialize.
#include <craton/hsm/diagnostics.h>

#include <fmt/format.h>

#include <random>
#include <thread>

#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {
namespace {

// How long to wait before reinitialisation attempt `attempt` (0-based): base * 2^attempt, with
// ±50% jitter so that many processes behind one HSM do not come back in lockstep.
std::chrono::milliseconds backoff(std::chrono::milliseconds base, std::uint32_t attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const auto full = base * (1LL << std::min<std::uint32_t>(attempt, 10));
  std::uniform_int_distribution<long long> jitter(full.count() / 2, full.count() * 3 / 2);
  return std::chrono::milliseconds(jitter(random));
}

// Sleeps `wait`, or until `deadline`; false when the deadline came first.
bool sleep_within(std::chrono::milliseconds wait, SessionPool::Deadline deadline) {
  const auto until = std::min(std::chrono::steady_clock::now() + wait, deadline.at());
  std::this_thread::sleep_until(until);
  return !deadline.passed();
}

}  // namespace

void Lease::note_failure_code(ErrorCode code) noexcept {
  mark_if_dead(code);
  if (is_module_level(code)) {
    pool_->note_module_failure(slot_->epoch, HsmError(code, "a call on the token failed"));
  } else {
    pool_->note_answer();
  }
}

void SessionPool::note_module_failure(std::uint64_t seen_epoch, const HsmError& error) {
  // Every session opened before is likely gone with the module: rebuild them all on acquire
  // instead of letting each fail one operation first.
  if (!epoch_.compare_exchange_strong(seen_epoch, seen_epoch + 1, std::memory_order_acq_rel)) {
    return;  // another thread already reported this outage
  }
  if (const auto transition = breaker_.on_module_failure()) {
    counters_.breaker_opened.fetch_add(1, std::memory_order_relaxed);
    emit({.kind = *transition, .error = error});
  }
}

void SessionPool::note_transition(PoolEventKind transition) {
  emit({.kind = transition});
}

void SessionPool::note_retry(std::size_t session_index, const HsmError& cause) {
  counters_.retries.fetch_add(1, std::memory_order_relaxed);
  if (OperationNotes* notes = ObservedOperation::current()) ++notes->retries;
  emit({.kind = PoolEventKind::Retried, .session_index = session_index, .error = cause});
}

Result<void> SessionPool::recover_module(PooledSession& held, const HsmError& cause,
                                         Deadline deadline) {
  const std::uint64_t seen = module_->generation();
  // Waiting here, this thread is outside the module: the recovering thread need not drain it.
  held.awaiting_recovery.store(true, std::memory_order_release);
  const std::lock_guard lock(recovery_mutex_);
  held.awaiting_recovery.store(false, std::memory_order_release);
  if (module_->generation() != seen) return {};  // another thread brought it back meanwhile

  // C_Finalize while other threads are inside the module is undefined (v2.40 §5.4): wait,
  // bounded, until every other lease is back. Their calls fail fast on a lost module.
  const auto drain_until =
      std::min(std::chrono::steady_clock::now() + options_.acquire_timeout, deadline.at());
  for (const auto& pooled : sessions_) {
    while (pooled.get() != &held && pooled->busy.load(std::memory_order_acquire) &&
           !pooled->awaiting_recovery.load(std::memory_order_acquire)) {
      if (std::chrono::steady_clock::now() >= drain_until) {
        return fail(cause.code(),
                    "the module was lost and other operations stayed in flight, so it was not "
                    "re-initialised");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  HsmError last = cause;
  for (std::uint32_t attempt = 0; attempt < options_.reinit_attempts; ++attempt) {
    if (attempt > 0 && !sleep_within(backoff(options_.reinit_backoff, attempt - 1), deadline)) {
      break;
    }
    auto reinitialized = module_->reinitialize(seen);
    if (reinitialized) {
      counters_.module_reinits.fetch_add(1, std::memory_order_relaxed);
      epoch_.fetch_add(1, std::memory_order_acq_rel);
      emit({.kind = PoolEventKind::ModuleReinitialized, .error = cause});
      return {};
    }
    last = std::move(reinitialized).error();
    counters_.module_reinit_failures.fetch_add(1, std::memory_order_relaxed);
    emit({.kind = PoolEventKind::ModuleReinitFailed, .error = last});
    if (last.code() == ErrorCode::CryptokiNotInitialized && !module_->initialized_by_us()) break;
  }
  return std::unexpected(std::move(last));
}

}  // namespace craton::hsm::pkcs11
