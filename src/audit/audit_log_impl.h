// SPDX-License-Identifier: Apache-2.0
// The AuditLog behind AuditLog::open: a bounded queue that record() appends to under a short
// lock, and one writer thread that formats, chains, appends, syncs, anchors and rotates.
#pragma once

#include "audit/jsonl_file_sink.h"
#include "audit/record_format.h"
#include "audit/trail_resume.h"

#include <craton/hsm/audit.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace craton::hsm::audit {

// Thread-safety: record(), record_intent(), ready() and flush() from any thread. The writer owns
// everything below "writer thread only"; the rest is guarded by mu_. Cost model: record() takes the
// lock, moves the event into preallocated queue storage and wakes the writer only when the writer
// is idle (first record after a quiet period) or the queue reaches its high-water mark, so a steady
// stream costs no syscall per record.
class AuditLogImpl final : public AuditLog {
 public:
  AuditLogImpl(const AuditConfig& config, std::unique_ptr<AuditMac> mac, const AuditOrigin& origin,
               std::unique_ptr<AuditSink> sink, JsonlFileSink* file_sink, const ChainStart& start);
  ~AuditLogImpl() override;
  AuditLogImpl(const AuditLogImpl&) = delete;
  AuditLogImpl& operator=(const AuditLogImpl&) = delete;

  // Writes the genesis or restart record (and, under fail-open, the policy record)
  // synchronously, then starts the writer. Errors: AuditUnavailable.
  [[nodiscard]] Result<void> start();

  Result<void> record(AuditEvent event) override;
  Result<std::uint64_t> record_intent(AuditEvent event) override;
  [[nodiscard]] Result<void> ready() const override;
  Result<void> flush() override;
  [[nodiscard]] AuditFailurePolicy failure_policy() const noexcept override { return policy_; }

 private:
  using Clock = std::chrono::steady_clock;

  // Caller side, under mu_. admit says whether the queue takes one more event: true, or false
  // when fail-open counted it lost; it waits up to max_wait for room. push appends and says
  // whether the writer must be woken (after unlocking, where the caller can).
  [[nodiscard]] Result<bool> admit(std::unique_lock<std::mutex>& lock);
  // Inline, and constructing in place: this is most of record()'s cost.
  [[nodiscard]] bool push(AuditEvent&& event, std::chrono::system_clock::time_point time,
                          std::uint64_t intent_id = 0) {
    incoming_.emplace_back(std::move(event), time, intent_id);
    ++accepted_;
    if (writer_idle_) {
      writer_idle_ = false;  // one notification per idle period, not one per record
      return true;
    }
    if (incoming_.size() >= high_water_ && !high_water_signalled_) {
      high_water_signalled_ = true;
      return true;
    }
    return false;
  }
  // Waits until the first `target` accepted events are synced. Errors: AuditUnavailable.
  [[nodiscard]] Result<void> wait_synced(std::unique_lock<std::mutex>& lock, std::uint64_t target);

  // Writer side (audit_writer.cc).
  void writer_start();
  void writer_main();
  bool wait_for_work(std::unique_lock<std::mutex>& lock);
  [[nodiscard]] bool has_work() const;
  [[nodiscard]] Result<void> process_batch();
  [[nodiscard]] Result<void> format_batch();
  [[nodiscard]] Result<void> write_pending();
  [[nodiscard]] Result<void> rotate_if_due();
  [[nodiscard]] Result<void> check_file();
  [[nodiscard]] Result<void> sync_sink();
  [[nodiscard]] std::uint64_t intent_seq_of(std::uint64_t intent_id) const;
  std::string& next_line(std::size_t& count);
  void set_failed(const HsmError& error);
  [[nodiscard]] HsmError unavailable() const;

  // Fixed at construction.
  const AuditDurability durability_;
  const AuditFailurePolicy policy_;
  const std::size_t capacity_;
  const std::size_t high_water_;
  const std::chrono::milliseconds max_wait_;
  const std::uint64_t rotate_bytes_;
  const std::unique_ptr<AuditMac> mac_;
  const RecordFormatter formatter_;
  const std::unique_ptr<AuditSink> sink_;
  JsonlFileSink* const file_sink_;  // sink_ when it is the default file sink, else null

  // Shared, guarded by mu_.
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // the writer waits here
  std::condition_variable done_cv_;  // flush() and record() on a full queue wait here
  std::vector<QueuedEvent> incoming_;
  bool writer_idle_ = false;  // the writer sleeps until notified
  bool high_water_signalled_ = false;
  bool stop_ = false;
  Clock::time_point stop_deadline_{};
  std::uint64_t accepted_ = 0;  // events record() accepted
  std::uint64_t written_ = 0;   // of those, appended to the sink
  std::uint64_t synced_ = 0;    // of those, synced (flush() waits for this)
  std::uint64_t lost_ = 0;      // fail-open: events dropped and not yet in the trail
  std::size_t waiters_ = 0;     // threads waiting on done_cv_
  std::size_t flush_waiters_ = 0;
  std::size_t sync_waiters_ = 0;  // intents and per_record records waiting to be synced
  std::uint64_t next_intent_id_ = 0;
  std::atomic<bool> failed_{false};  // read without the lock by ready()
  std::string failure_;              // why, while failed_
  bool opening_done_ = false;        // start(): the writer has tried the opening records
  std::optional<HsmError> opening_error_;

  // Writer thread only (and start(), before the thread exists).
  std::vector<QueuedEvent> draining_;
  std::uint64_t lost_in_batch_ = 0;
  bool sync_requested_ = false;
  bool formatted_ = false;
  bool needs_genesis_ = false;
  bool needs_restart_ = false;
  std::string opening_detail_;  // said by the genesis or restart record (a torn tail cut off)
  // A failure retrying cannot fix (the path names another file, a sync failed): the writer
  // stops and the trail stays failed.
  bool failed_for_good_ = false;
  std::unordered_map<std::uint64_t, std::uint64_t> intent_seqs_;  // intent id -> seq, until closed
  std::vector<std::pair<std::uint64_t, std::uint64_t>> batch_intents_;  // this batch's, reused
  std::vector<std::uint64_t> batch_closed_;                             // this batch's, reused
  std::vector<std::string> lines_;  // reused: their capacity survives across batches
  std::size_t line_count_ = 0;
  std::size_t appended_ = 0;
  bool need_sync_ = false;
  bool need_anchor_ = false;  // records written since the anchor was last replaced
  bool anchor_due_ = true;    // replace it with this batch (see kAnchorInterval)
  Clock::time_point next_anchor_{};
  std::uint64_t batch_events_ = 0;
  std::uint64_t next_seq_;
  std::string prev_;
  std::uint64_t file_first_seq_;
  std::thread writer_;
  // record() never waits on the writer thread: it records too (a login while it MACs through
  // the token) and would wait for itself.
  std::atomic<std::thread::id> writer_id_{};
};

}  // namespace craton::hsm::audit
