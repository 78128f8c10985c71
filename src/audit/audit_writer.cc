// SPDX-License-Identifier: Apache-2.0
// The audit writer thread: drain the queue in batches, format and chain the records, append,
// sync, anchor and rotate; on failure keep the batch and retry until the sink works again.
#include "audit/audit_log_impl.h"
#include "audit/record_fields.h"
#include "audit/tail_anchor.h"

#include <craton/hsm/diagnostics.h>

#include <fmt/format.h>

namespace craton::hsm::audit {
namespace {

// A woken writer waits this long for more records before writing, so a steady stream is
// written in batches (one write, one fsync) and record() rarely has to wake it. Each fsync's
// I/O completion interrupts are handled on a core that is usually running the operations:
// 2 ms windows cost sha256-1k 3-6 % of its throughput on 2 cores, 10 ms about 1 %.
constexpr auto kBatchWindow = std::chrono::milliseconds(10);
// Under a steady stream the anchor is replaced at most this often (each replacement costs
// two fsyncs); it is always brought up to date before the writer idles, on flush() and at
// close. See docs/audit.md for what that leaves open.
constexpr auto kAnchorInterval = std::chrono::milliseconds(100);
// How often a failed sink is retried.
constexpr auto kRetryInterval = std::chrono::milliseconds(100);

std::filesystem::path rotated_path(const std::filesystem::path& trail, std::uint64_t first_seq) {
  // Zero-padded so that a lexical sort of the rotated files is their chain order.
  auto path = trail;
  path += fmt::format(".{:020}", first_seq);
  return path;
}

}  // namespace

bool AuditLogImpl::has_work() const {
  return !incoming_.empty() || (lost_ > 0 && !failed_.load(std::memory_order_relaxed)) ||
         (flush_waiters_ + sync_waiters_ > 0 && synced_ < written_);
}

// Returns with the lock held and a batch to write, or false when the writer should exit.
bool AuditLogImpl::wait_for_work(std::unique_lock<std::mutex>& lock) {
  if (!has_work()) {
    if (need_anchor_) {
      anchor_due_ = true;  // an anchor-only batch before idling or stopping
      return true;
    }
    if (stop_) return false;
    writer_idle_ = true;
    work_cv_.wait(lock, [&] { return has_work() || stop_; });
    writer_idle_ = false;
    if (!has_work()) return false;  // stopping with nothing left
  }
  if (!stop_ && flush_waiters_ == 0 && waiters_ == 0 && incoming_.size() < high_water_) {
    work_cv_.wait_for(lock, kBatchWindow, [&] {
      return incoming_.size() >= high_water_ || stop_ || flush_waiters_ > 0 || waiters_ > 0;
    });
  }
  return true;
}

// The opening records (genesis or restart, the fail-open notice) are written here, on the
// writer thread like every other record; start() waits for the outcome.
void AuditLogImpl::writer_start() {
  writer_id_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  auto opened = process_batch();
  {
    std::lock_guard lock(mu_);
    opening_done_ = true;
    if (!opened) opening_error_ = opened.error();
  }
  done_cv_.notify_all();
  if (opened) writer_main();
}

void AuditLogImpl::writer_main() {
  std::unique_lock lock(mu_);
  while (wait_for_work(lock)) {
    std::swap(incoming_, draining_);
    high_water_signalled_ = false;
    lost_in_batch_ = lost_;
    sync_requested_ = flush_waiters_ + sync_waiters_ > 0;
    anchor_due_ = anchor_due_ || flush_waiters_ > 0 || stop_ || Clock::now() >= next_anchor_;
    const bool space_freed = waiters_ > 0;
    lock.unlock();
    if (space_freed) done_cv_.notify_all();

    auto written = process_batch();
    while (!written) {
      lock.lock();
      set_failed(written.error());
      if (failed_for_good_) {
        report_diagnostic(
            HsmError(ErrorCode::AuditUnavailable,
                     fmt::format("audit writer stopped for good with {} records unwritten: {}",
                                 draining_.size() + (line_count_ - appended_) + incoming_.size(),
                                 written.error().message())));
        return;
      }
      if (stop_ && Clock::now() >= stop_deadline_) {
        report_diagnostic(
            HsmError(ErrorCode::AuditUnavailable,
                     fmt::format("audit writer stopping with {} records unwritten: {}",
                                 draining_.size() + (line_count_ - appended_) + incoming_.size(),
                                 written.error().message())));
        return;
      }
      // No predicate: a notification only shortens one pause, it never spins the retries.
      work_cv_.wait_for(lock, kRetryInterval);
      lock.unlock();
      written = process_batch();
    }

    lock.lock();
    written_ += batch_events_;
    synced_ = (durability_ != AuditDurability::None || sync_requested_) ? written_ : synced_;
    lost_ -= lost_in_batch_;
    lost_in_batch_ = 0;
    failed_.store(false, std::memory_order_release);
    failure_.clear();
    if (waiters_ > 0) done_cv_.notify_all();
  }
}

void AuditLogImpl::set_failed(const HsmError& error) {
  failure_ = error.message();
  failed_.store(true, std::memory_order_release);
  if (waiters_ > 0) done_cv_.notify_all();
}

Result<void> AuditLogImpl::process_batch() {
  CRATON_RETURN_IF_ERROR(check_file());
  if (!formatted_) {
    CRATON_RETURN_IF_ERROR(rotate_if_due());
    CRATON_RETURN_IF_ERROR(format_batch());
    formatted_ = true;
  }
  CRATON_RETURN_IF_ERROR(write_pending());
  formatted_ = false;
  return {};
}

// Before each batch and before a batch is acknowledged: the trail's path must still name the
// file being written. Once it does not (renamed or deleted), another process may already have
// started a chain at the path; writing on, or reopening the path here, would fork the chain.
Result<void> AuditLogImpl::check_file() {
  if (file_sink_ == nullptr) return {};
  auto same = file_sink_->check_identity();
  if (!same) failed_for_good_ = true;
  return same;
}

// A failed fsync is not retried: the kernel may already have dropped the unwritten pages and
// report the next fsync as a success, so what the batch holds can no longer be vouched for.
Result<void> AuditLogImpl::sync_sink() {
  auto synced = sink_->sync();
  if (synced) return {};
  failed_for_good_ = true;
  return fail(ErrorCode::AuditUnavailable,
              fmt::format("{}; records since the last good sync may be lost, so this writer "
                          "stops (reopen the trail to continue)",
                          synced.error().message()));
}

std::uint64_t AuditLogImpl::intent_seq_of(std::uint64_t intent_id) const {
  for (const auto& [id, seq] : batch_intents_) {
    if (id == intent_id) return seq;
  }
  const auto found = intent_seqs_.find(intent_id);
  return found == intent_seqs_.end() ? 0 : found->second;  // 0: lost under fail-open
}

Result<void> AuditLogImpl::rotate_if_due() {
  if (rotate_bytes_ == 0 || needs_genesis_ || file_sink_->size() < rotate_bytes_) return {};
  if (draining_.empty() && lost_in_batch_ == 0) return {};  // rotate when there is a record
  // The anchor must name the old file's last record first: if we crash before the new
  // file's genesis is written, the next open continues the chain from it.
  if (need_anchor_) {
    CRATON_RETURN_IF_ERROR(write_anchor(file_sink_->path(), TailAnchor{next_seq_ - 1, prev_}, *mac_,
                                        durability_ != AuditDurability::None));
    need_anchor_ = false;
  }
  CRATON_RETURN_IF_ERROR(file_sink_->rotate(rotated_path(file_sink_->path(), file_first_seq_)));
  needs_genesis_ = true;
  file_first_seq_ = next_seq_;
  return {};
}

std::string& AuditLogImpl::next_line(std::size_t& count) {
  if (count == lines_.size()) lines_.emplace_back();
  return lines_[count++];
}

// Formats and seals draining_ into lines_. Transactional: the chain state (next_seq_, prev_)
// and the queue move on only when every record of the batch is sealed.
Result<void> AuditLogImpl::format_batch() {
  std::uint64_t seq = next_seq_;
  std::string prev = prev_;
  std::size_t count = 0;
  const auto sealed = [&](std::string& line) -> Result<void> {
    CRATON_RETURN_IF_ERROR(seal(line, *mac_));
    prev.assign(sealed_mac(line));
    ++seq;
    return {};
  };
  const auto now = std::chrono::system_clock::now();
  if (needs_genesis_) {
    std::string& line = next_line(count);
    formatter_.genesis(line, now, seq, prev, opening_detail_);
    CRATON_RETURN_IF_ERROR(sealed(line));
  } else if (needs_restart_) {
    std::string& line = next_line(count);
    formatter_.restart(line, now, seq, prev, opening_detail_);
    CRATON_RETURN_IF_ERROR(sealed(line));
  }
  batch_intents_.clear();
  batch_closed_.clear();
  for (const QueuedEvent& queued : draining_) {
    std::string& line = next_line(count);
    std::uint64_t intent_seq = 0;
    if (queued.event.intent != 0) {
      intent_seq = intent_seq_of(queued.event.intent);
      batch_closed_.push_back(queued.event.intent);
    }
    formatter_.event(line, queued, seq, prev, intent_seq);
    if (queued.intent_id != 0) batch_intents_.emplace_back(queued.intent_id, seq);
    CRATON_RETURN_IF_ERROR(sealed(line));
  }
  if (lost_in_batch_ > 0) {
    QueuedEvent notice{AuditEvent{}, now};
    notice.event.operation = AuditOperation::AuditFailOpen;
    notice.event.detail = fmt::format(
        "lost {} records: the trail could not be written (on_failure = fail_open)", lost_in_batch_);
    std::string& line = next_line(count);
    formatter_.event(line, notice, seq, prev);
    CRATON_RETURN_IF_ERROR(sealed(line));
  }
  next_seq_ = seq;
  prev_ = std::move(prev);
  if (needs_genesis_ || needs_restart_) opening_detail_.clear();
  needs_genesis_ = needs_restart_ = false;
  for (const auto& [id, intent_seq] : batch_intents_) intent_seqs_.emplace(id, intent_seq);
  for (const std::uint64_t id : batch_closed_) intent_seqs_.erase(id);
  batch_events_ = draining_.size();
  draining_.clear();
  line_count_ = count;
  appended_ = 0;
  // Only the file sink has an anchor; an empty batch leaves a pending update pending.
  need_anchor_ = need_anchor_ || (count > 0 && file_sink_ != nullptr);
  return {};
}

Result<void> AuditLogImpl::write_pending() {
  const std::span<const std::string> lines(lines_.data(), line_count_);
  while (appended_ < line_count_) {
    const std::size_t n = durability_ == AuditDurability::PerRecord ? 1 : line_count_ - appended_;
    CRATON_RETURN_IF_ERROR(sink_->append(lines.subspan(appended_, n)));
    appended_ += n;
    need_sync_ = need_sync_ || durability_ != AuditDurability::None;
    if (durability_ == AuditDurability::PerRecord) {
      CRATON_RETURN_IF_ERROR(sync_sink());
      need_sync_ = false;
    }
  }
  if (need_sync_ || sync_requested_) {
    CRATON_RETURN_IF_ERROR(sync_sink());
    need_sync_ = false;
  }
  // Nothing of this batch is acknowledged (and the anchor not moved) unless the path still
  // names the file the batch went into.
  CRATON_RETURN_IF_ERROR(check_file());
  if (need_anchor_ && anchor_due_) {
    const TailAnchor anchor{next_seq_ - 1, prev_};
    CRATON_RETURN_IF_ERROR(
        write_anchor(file_sink_->path(), anchor, *mac_, durability_ != AuditDurability::None));
    need_anchor_ = false;
    anchor_due_ = false;
    next_anchor_ = Clock::now() + kAnchorInterval;
  }
  return {};
}

}  // namespace craton::hsm::audit
