// SPDX-License-Identifier: Apache-2.0
// AuditLog::open and the caller-facing side of the trail: record(), ready(), flush().
#include "audit/audit_log_impl.h"

#include <craton/hsm/diagnostics.h>

#include <algorithm>

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
  CRATON_RETURN_IF_ERROR(process_batch());
  writer_ = std::thread([this] { writer_main(); });
  return {};
}

AuditLogImpl::~AuditLogImpl() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    stop_deadline_ = Clock::now() + kShutdownGrace;
  }
  work_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

HsmError AuditLogImpl::unavailable() const {
  return HsmError(ErrorCode::AuditUnavailable, "audit trail unavailable: " + failure_);
}

Result<void> AuditLogImpl::record(AuditEvent event) {
  // Stamped before the lock: the clock read is the one part that need not be serialised.
  const auto now = std::chrono::system_clock::now();
  std::unique_lock lock(mu_);
  const bool fail_closed = policy_ == AuditFailurePolicy::FailClosed;
  if (fail_closed && failed_.load(std::memory_order_relaxed)) return std::unexpected(unavailable());
  if (incoming_.size() >= capacity_) {
    // Under fail-open a failed writer cannot drain the queue, so waiting would only slow
    // the operation down: drop (and count) at once.
    if (!fail_closed && failed_.load(std::memory_order_relaxed)) {
      ++lost_;
      return {};
    }
    ++waiters_;
    work_cv_.notify_one();  // the writer may be in its batching pause
    const bool space = done_cv_.wait_for(lock, max_wait_, [&] {
      return incoming_.size() < capacity_ || failed_.load(std::memory_order_relaxed) || stop_;
    });
    --waiters_;
    if (!space || incoming_.size() >= capacity_) {
      if (!fail_closed) {
        ++lost_;
        return {};
      }
      if (failed_.load(std::memory_order_relaxed)) return std::unexpected(unavailable());
      return fail(
          ErrorCode::AuditUnavailable,
          fmt::format("audit queue full ({} records) for {} ms", capacity_, max_wait_.count()));
    }
  }
  incoming_.push_back(QueuedEvent{std::move(event), now});
  ++accepted_;
  bool wake = false;
  if (writer_idle_) {
    writer_idle_ = false;  // one notification per idle period, not one per record
    wake = true;
  } else if (incoming_.size() >= high_water_ && !high_water_signalled_) {
    high_water_signalled_ = true;
    wake = true;
  }
  lock.unlock();
  if (wake) work_cv_.notify_one();
  return {};
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
                                                 std::unique_ptr<AuditMac> mac, AuditOrigin origin,
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
    CRATON_ASSIGN_OR_RETURN(auto opened, audit::JsonlFileSink::open(config.file));
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
