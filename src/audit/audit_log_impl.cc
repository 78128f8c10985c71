// SPDX-License-Identifier: Apache-2.0
// AuditLog::open and the caller-facing side of the trail: record(), ready(), flush().
#include "audit/audit_log_impl.h"

#include <craton/hsm/diagnostics.h>

#include <algorithm>
#include <csignal>

#include <pthread.h>

#include <fmt/format.h>

namespace craton::hsm::audit {
namespace {

// How long the destructor keeps trying to write what is still queued.
constexpr auto kShutdownGrace = std::chrono::seconds(2);

}  // namespace

AuditLogImpl::AuditLogImpl(const AuditConfig& config, std::unique_ptr<AuditMac> mac,
                           const AuditOrigin& origin, std::unique_ptr<AuditSink> sink,
                           JsonlFileSink* file_sink, const ChainStart& start)
    : durability_(config.durability),
      policy_(config.on_failure),
      capacity_(config.queue_capacity),
      high_water_(std::max<std::size_t>(1, config.queue_capacity / 2)),
      max_wait_(config.max_wait),
      rotate_bytes_(file_sink != nullptr ? config.rotate_bytes : 0),
      mac_(std::move(mac)),
      formatter_(origin),
      sink_(std::move(sink)),
      file_sink_(file_sink),
      next_seq_(start.next_seq),
      prev_(start.prev),
      file_first_seq_(start.file_first_seq) {
  // Both buffers are allocated once, so record() never allocates for the queue.
  incoming_.reserve(capacity_);
  draining_.reserve(capacity_);
  needs_genesis_ = start.new_file;
  needs_restart_ = !start.new_file;
  if (start.cut_bytes > 0) {
    opening_detail_ = fmt::format(
        "cut off {} bytes of an incomplete last record (a write torn by a crash)", start.cut_bytes);
  }
}

Result<void> AuditLogImpl::start() {
  if (policy_ == AuditFailurePolicy::FailOpen) {
    AuditEvent notice;
    notice.operation = AuditOperation::AuditFailOpen;
    notice.detail =
        "on_failure = fail_open: operations continue when records cannot be written; lost "
        "records are counted and reported here";
    draining_.push_back(QueuedEvent{std::move(notice), std::chrono::system_clock::now()});
  }
  sync_requested_ = true;  // the opening records are durable before open() returns
  // The writer thread is the only one that writes the trail, and it runs with SIGXFSZ blocked
  // (a new thread inherits the mask): past RLIMIT_FSIZE its write() then fails with EFBIG and
  // takes the fail-closed path, where the default action of SIGXFSZ would kill the process
  // in the middle of a record. The kernel directs SIGXFSZ at the writing thread, so the
  // application's own threads and handlers are not affected.
  sigset_t blocked;
  sigset_t previous;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGXFSZ);
  ::pthread_sigmask(SIG_BLOCK, &blocked, &previous);
  writer_ = std::thread([this] { writer_start(); });
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  std::unique_lock lock(mu_);
  done_cv_.wait(lock, [&] { return opening_done_; });
  if (!opening_error_) return {};
  lock.unlock();
  writer_.join();
  return std::unexpected(*opening_error_);
}

AuditLogImpl::~AuditLogImpl() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    stop_deadline_ = Clock::now() + kShutdownGrace;
  }
  work_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (failed_for_good_ && (!incoming_.empty() || lost_ > 0)) {
    report_diagnostic(HsmError(
        ErrorCode::AuditUnavailable,
        fmt::format("audit trail closed with {} records never written after it stopped: {}",
                    incoming_.size() + lost_, failure_)));
  }
}

HsmError AuditLogImpl::unavailable() const {
  return HsmError(ErrorCode::AuditUnavailable, "audit trail unavailable: " + failure_);
}

// The slow path of taking an event: the writer has failed, or the queue is full.
Result<bool> AuditLogImpl::admit(std::unique_lock<std::mutex>& lock) {
  const bool fail_closed = policy_ == AuditFailurePolicy::FailClosed;
  if (fail_closed && failed_.load(std::memory_order_relaxed)) return std::unexpected(unavailable());
  if (incoming_.size() < capacity_) return true;
  // Under fail-open a failed writer cannot drain the queue, so waiting would only slow the
  // operation down: drop (and count) at once.
  if (!fail_closed && failed_.load(std::memory_order_relaxed)) {
    ++lost_;
    return false;
  }
  ++waiters_;
  work_cv_.notify_one();  // the writer may be in its batching pause
  const bool space = done_cv_.wait_for(lock, max_wait_, [&] {
    return incoming_.size() < capacity_ || failed_.load(std::memory_order_relaxed) || stop_;
  });
  --waiters_;
  if (space && incoming_.size() < capacity_) return true;
  if (!fail_closed) {
    ++lost_;
    return false;
  }
  if (failed_.load(std::memory_order_relaxed)) return std::unexpected(unavailable());
  return fail(ErrorCode::AuditUnavailable,
              fmt::format("audit queue full ({} records) for {} ms", capacity_, max_wait_.count()));
}

Result<void> AuditLogImpl::wait_synced(std::unique_lock<std::mutex>& lock, std::uint64_t target) {
  if (synced_ >= target) return {};
  ++sync_waiters_;
  ++waiters_;
  work_cv_.notify_one();  // no batching pause: someone waits for this batch
  done_cv_.wait(
      lock, [&] { return synced_ >= target || failed_.load(std::memory_order_relaxed) || stop_; });
  --waiters_;
  --sync_waiters_;
  if (synced_ >= target) return {};
  if (failed_.load(std::memory_order_relaxed)) return std::unexpected(unavailable());
  return fail(ErrorCode::AuditUnavailable, "audit trail is shutting down");
}

Result<void> AuditLogImpl::record(AuditEvent event) {
  // Stamped before the lock: the clock read is the one part that need not be serialised.
  const auto now = std::chrono::system_clock::now();
  std::unique_lock lock(mu_);
  if (failed_.load(std::memory_order_relaxed) || incoming_.size() >= capacity_) {
    const Result<bool> admitted = admit(lock);
    if (!admitted) return std::unexpected(admitted.error());
    if (!*admitted) return {};  // fail-open: lost, counted, recorded as lost later
  }
  const bool wake = push(std::move(event), now);
  if (durability_ == AuditDurability::PerRecord &&
      writer_id_.load(std::memory_order_relaxed) != std::this_thread::get_id()) {
    // per_record: the caller releases its result only once the record is on disk.
    const Result<void> synced = wait_synced(lock, accepted_);
    if (!synced && policy_ == AuditFailurePolicy::FailClosed) return synced;
    return {};
  }
  lock.unlock();
  if (wake) work_cv_.notify_one();
  return {};
}

Result<std::uint64_t> AuditLogImpl::record_intent(AuditEvent event) {
  const auto now = std::chrono::system_clock::now();
  AuditEvent not_run;  // the outcome written for an intent whose operation never ran
  not_run.operation = event.operation;
  not_run.key = event.key;
  std::unique_lock lock(mu_);
  const std::uint64_t id = ++next_intent_id_;
  CRATON_ASSIGN_OR_RETURN(const bool admitted, admit(lock));
  const bool fail_open = policy_ == AuditFailurePolicy::FailOpen;
  // Fail-open: lost (and counted), or waiting for a failed writer would only hold the
  // operation up; the outcome then carries "intent":0 or the intent's seq when it lands.
  if (!admitted) return id;
  if (push(std::move(event), now, id)) work_cv_.notify_one();
  if (fail_open && failed_.load(std::memory_order_relaxed)) return id;
  const Result<void> synced = wait_synced(lock, accepted_);
  if (synced || fail_open) return id;
  // The operation will not run, but the intent stays queued and may reach the file once the
  // writer recovers: close it there, so that it does not read as an unknown outcome.
  if (incoming_.size() < capacity_) {
    not_run.error = ErrorCode::AuditUnavailable;
    not_run.detail = "not run: its intent record could not be made durable";
    not_run.intent = id;
    if (push(std::move(not_run), std::chrono::system_clock::now())) work_cv_.notify_one();
  }
  return std::unexpected(synced.error());
}

Result<void> AuditLogImpl::ready() const {
  if (policy_ == AuditFailurePolicy::FailClosed && failed_.load(std::memory_order_acquire)) {
    std::lock_guard lock(mu_);
    if (failed_.load(std::memory_order_relaxed)) return std::unexpected(unavailable());
  }
  return {};
}

Result<void> AuditLogImpl::flush() {
  std::unique_lock lock(mu_);
  if (failed_.load(std::memory_order_relaxed)) return std::unexpected(unavailable());
  const std::uint64_t target = accepted_;
  if (synced_ >= target && lost_ == 0) return {};
  ++flush_waiters_;
  ++waiters_;
  work_cv_.notify_one();
  done_cv_.wait(lock, [&] {
    return (synced_ >= target && lost_ == 0) || failed_.load(std::memory_order_relaxed) || stop_;
  });
  --waiters_;
  --flush_waiters_;
  if (failed_.load(std::memory_order_relaxed)) return std::unexpected(unavailable());
  if (synced_ < target) return fail(ErrorCode::AuditUnavailable, "audit trail is shutting down");
  return {};
}

}  // namespace craton::hsm::audit

namespace craton::hsm {

Result<std::unique_ptr<AuditLog>> AuditLog::open(const AuditConfig& config,
                                                 std::unique_ptr<AuditMac> mac,
                                                 const AuditOrigin& origin,
                                                 std::unique_ptr<AuditSink> sink) {
  if (mac == nullptr) return fail(ErrorCode::ConfigInvalid, "audit: no MAC key given");
  if (config.queue_capacity == 0) {
    return fail(ErrorCode::ConfigInvalid, "audit: queue_capacity must be at least 1");
  }
  if (sink == nullptr && config.file.empty()) {
    return fail(ErrorCode::ConfigInvalid, "audit: no trail file given");
  }
  audit::JsonlFileSink* file_sink = nullptr;
  audit::ChainStart start;
  if (sink == nullptr) {
    CRATON_ASSIGN_OR_RETURN(auto opened,
                            audit::JsonlFileSink::open(config.file, config.lock_timeout));
    CRATON_ASSIGN_OR_RETURN(start, audit::resume_trail(*opened, *mac));
    file_sink = opened.get();
    sink = std::move(opened);
  }
  auto log = std::make_unique<audit::AuditLogImpl>(config, std::move(mac), origin, std::move(sink),
                                                   file_sink, start);
  CRATON_RETURN_IF_ERROR(log->start());
  return std::unique_ptr<AuditLog>(std::move(log));
}

}  // namespace craton::hsm
