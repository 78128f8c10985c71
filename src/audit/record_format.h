// SPDX-License-Identifier: Apache-2.0
// Turning events into record lines: the field layout of the JSON Lines trail and the seal
// (the record's own MAC) that closes every line.
#pragma once

#include <craton/hsm/audit.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace craton::hsm::audit {

// An accepted event and the time record() saw it.
struct QueuedEvent {
  AuditEvent event;
  std::chrono::system_clock::time_point time;
  std::uint64_t intent_id = 0;  // non-zero: this event is that write-ahead intent
};

// Longer `detail` strings are clipped (at a UTF-8 boundary) so that a record stays far below
// the 64 KiB the tail reader looks at when a trail is continued.
inline constexpr std::size_t kMaxDetailBytes = 1024;

// Builds the unsealed part of a record, ending with "prev"; seal() then closes it. Every line
// starts with `{"ts":` (the anchor starts with `{"anchor":`, so their MAC inputs never collide).
// Thread-safety: const members only; the origin fragment is escaped once at construction.
class RecordFormatter {
 public:
  explicit RecordFormatter(const AuditOrigin& origin);

  // `line` is cleared first (its capacity is reused: no allocation in steady state).
  // `intent_seq`: for an outcome (event.intent set), the sequence number of its intent record
  // (0 when that record was lost under fail-open).
  void event(std::string& line, const QueuedEvent& queued, std::uint64_t seq, std::string_view prev,
             std::uint64_t intent_seq = 0) const;
  // First record of every file. `prev_file` is the MAC of the previous file's last record, or
  // empty for the first file of a trail; the genesis record's "prev" repeats it. `detail`
  // (omitted when empty) says what opening the file found, e.g. a torn tail it cut off.
  void genesis(std::string& line, std::chrono::system_clock::time_point time, std::uint64_t seq,
               std::string_view prev_file, std::string_view detail = {}) const;
  // Written when a process continues an existing file.
  void restart(std::string& line, std::chrono::system_clock::time_point time, std::uint64_t seq,
               std::string_view prev, std::string_view detail = {}) const;

 private:
  std::string origin_;  // `"backend":"..","token":"..","serial":"..","slot":N`
};

// Appends `,"mac":"<HMAC over every byte of line so far>"}`. Errors: the MAC's.
[[nodiscard]] Result<void> seal(std::string& line, AuditMac& mac);

// "2026-11-27T19:08:30.123456Z"
void append_timestamp(std::string& out, std::chrono::system_clock::time_point time);

}  // namespace craton::hsm::audit
