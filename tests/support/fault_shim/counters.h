// SPDX-License-Identifier: Apache-2.0
// Counters: what the shim saw (calls per function, sessions and objects, faults, restarts,
// concurrency), readable through the control API and as a stats file.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "fault_shim_control.h"
#include "pkcs11/loader/functions.h"

namespace craton::hsm::fault_shim {

// Lock-free; every member may be touched from any thread.
class Counters {
 public:
  void call(pkcs11::Fn fn) {
    calls_[static_cast<std::size_t>(fn)].fetch_add(1, std::memory_order_relaxed);
  }
  void session_opened() { sessions_opened_.fetch_add(1, std::memory_order_relaxed); }
  void object_created() { objects_created_.fetch_add(1, std::memory_order_relaxed); }
  void fault() { faults_.fetch_add(1, std::memory_order_relaxed); }
  void restart() { restarts_.fetch_add(1, std::memory_order_relaxed); }
  // A call enters / leaves the real module; keeps the high-water mark.
  void enter();
  void leave() { inside_.fetch_sub(1, std::memory_order_relaxed); }
  // not_thread_safe: a call enters the shim; false (and one more overlap) when another call is
  // already in it, and then the caller must not call leave_alone().
  bool enter_alone();
  void leave_alone() { alone_inside_.fetch_sub(1, std::memory_order_acq_rel); }

  [[nodiscard]] std::uint64_t calls(pkcs11::Fn fn) const {
    return calls_[static_cast<std::size_t>(fn)].load(std::memory_order_relaxed);
  }
  [[nodiscard]] unsigned long max_concurrency() const { return max_inside_.load(); }
  [[nodiscard]] CratonFaultStats snapshot() const;
  // Zeroes everything but the live counts (kept by the handle table) and calls in flight.
  void reset();

 private:
  std::array<std::atomic<std::uint64_t>, pkcs11::kFnCount> calls_{};
  std::atomic<std::uint64_t> sessions_opened_{0};
  std::atomic<std::uint64_t> objects_created_{0};
  std::atomic<std::uint64_t> faults_{0};
  std::atomic<std::uint64_t> restarts_{0};
  std::atomic<unsigned long> inside_{0};
  std::atomic<unsigned long> max_inside_{0};
  std::atomic<unsigned long> alone_inside_{0};
  std::atomic<std::uint64_t> overlaps_{0};
};

Counters& counters();

// The stats as "name value" lines (then "calls C_Sign 3" per called function), written to
// the file CRATON_FAULT_STATS names through a temporary file and a rename, so a reader never
// sees half a file. False when the variable is unset or writing fails.
bool write_stats_file();
std::string render_stats();

}  // namespace craton::hsm::fault_shim
