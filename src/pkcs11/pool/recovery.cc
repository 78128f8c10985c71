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

Result<void> SessionPool::recover_module(PooledSession& held, std::uint64_t seen,
                                         const HsmError& cause, Deadline deadline) {
  // Waiting here, this thread is outside the module: the recovering thread need not drain it.
  held.awaiting_recovery.store(true, std::memory_order_seq_cst);
  const std::lock_guard lock(recovery_mutex_);
  held.awaiting_recovery.store(false, std::memory_order_seq_cst);
  // Another thread brought it back after this one's C_OpenSession failed: re-initialising
  // again would end the sessions it has opened since.
  if (module_->generation() != seen) return {};

  recovering_.store(true, std::memory_order_seq_cst);  // the gate closes (see recovering_)
  std::vector<PooledSession*> taken;
  if (auto drained = take_over_sessions(held, cause, deadline, taken); !drained) {
    end_recovery(taken);
    return drained;
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
      end_recovery(taken);
      emit({.kind = PoolEventKind::ModuleReinitialized, .error = cause});
      return {};
    }
    last = std::move(reinitialized).error();
    counters_.module_reinit_failures.fetch_add(1, std::memory_order_relaxed);
    emit({.kind = PoolEventKind::ModuleReinitFailed, .error = last});
    if (last.code() == ErrorCode::CryptokiNotInitialized && !module_->initialized_by_us()) break;
  }
  end_recovery(taken);
  return std::unexpected(std::move(last));
}

Result<void> SessionPool::take_over_sessions(const PooledSession& held, const HsmError& cause,
                                             Deadline deadline,
                                             std::vector<PooledSession*>& taken) {
  // C_Finalize while other threads are inside the module is undefined (v2.40 §5.4): wait,
  // bounded, until every other lease is back. Their calls fail fast on a lost module, and
  // acquirers arriving meanwhile wait at the gate.
  const auto drain_until =
      std::min(std::chrono::steady_clock::now() + options_.acquire_timeout, deadline.at());
  for (const auto& pooled : sessions_) {
    if (pooled.get() == &held) continue;
    for (;;) {
      if (!pooled->busy.load(std::memory_order_seq_cst) &&
          !pooled->busy.exchange(true, std::memory_order_seq_cst)) {
        taken.push_back(pooled.get());
        break;
      }
      // Its holder waits for this recovery and touches the session only after it.
      if (pooled->awaiting_recovery.load(std::memory_order_seq_cst)) break;
      if (std::chrono::steady_clock::now() >= drain_until) {
        return fail(cause.code(),
                    "the module was lost and other operations stayed in flight, so it was not "
                    "re-initialised");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (pooled->session) {
      // The module is lost, so this mostly answers CKR_CRYPTOKI_NOT_INITIALIZED or a device
      // error (the handle is gone either way); what it frees on a module that still knows it is
      // freed before C_Finalize would.
      if (auto closed = pooled->session->close(); !closed) report_diagnostic(closed.error());
      pooled->session.reset();
      counters_.sessions_closed.fetch_add(1, std::memory_order_relaxed);
    }
    pooled->needs_rebuild = true;
  }
  return {};
}

void SessionPool::end_recovery(const std::vector<PooledSession*>& taken) noexcept {
  for (PooledSession* slot : taken) release(*slot);
  {
    const std::lock_guard lock(gate_mutex_);
    recovering_.store(false, std::memory_order_seq_cst);
  }
  recovered_.notify_all();
}

Result<void> SessionPool::wait_out_recovery(PooledSession& slot, Deadline deadline) {
  const auto until =
      std::min(std::chrono::steady_clock::now() + options_.acquire_timeout, deadline.at());
  std::unique_lock lock(gate_mutex_);
  // Re-read after every wait: another recovery may have begun while awaiting_recovery was
  // clear, and its drain then waits for this session instead of skipping it.
  while (recovering_.load(std::memory_order_seq_cst)) {
    slot.awaiting_recovery.store(true, std::memory_order_seq_cst);
    const bool ended = recovered_.wait_until(
        lock, until, [this] { return !recovering_.load(std::memory_order_seq_cst); });
    slot.awaiting_recovery.store(false, std::memory_order_seq_cst);
    if (!ended) {
      counters_.acquire_timeouts.fetch_add(1, std::memory_order_relaxed);
      return fail(ErrorCode::PoolTimeout,
                  until == deadline.at()
                      ? fmt::format("the operation's deadline ({} ms) passed while the module "
                                    "was being re-initialised",
                                    options_.operation_timeout.count())
                      : fmt::format("the module was being re-initialised for longer than the "
                                    "acquire timeout ({} ms)",
                                    options_.acquire_timeout.count()));
    }
  }
  return {};
}

}  // namespace craton::hsm::pkcs11
