// SPDX-License-Identifier: Apache-2.0
// Observability: what the passthrough backend keeps for stats() and health() beyond the pool's
// own counters (key cache counts, the last recovery, the cached probe answer) and the public
// reliability event handler the pool's events are translated for.
#pragma once

#include <craton/hsm/stats.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "pkcs11/pool/pool_events.h"

namespace craton::hsm::pkcs11 {

// Thread-safety: every member may be used from any thread.
class Observability {
 public:
  // How long after a recovery health() still says degraded.
  static constexpr std::chrono::seconds kDegradedWindow{60};
  // How long one probe's answer is reused.
  static constexpr std::chrono::seconds kProbeInterval{1};

  // The public form of a pool event; nullopt for those with none (SizeClamped).
  [[nodiscard]] static std::optional<ReliabilityEvent> translate(const PoolEvent& event);
  // Called for every pool event, before the backend exists: notes recoveries and forwards the
  // event to the handler, if any.
  void on_pool_event(const PoolEvent& event);
  void set_handler(ReliabilityEventHandler handler);

  // A recovery happened now (or, from health(), was first seen in the counters now).
  void note_recovery() noexcept;
  [[nodiscard]] bool recovered_recently(std::chrono::steady_clock::time_point now) const noexcept;

  // The key cache of the sessions, counted where the backend looks keys up.
  std::atomic<std::uint64_t> cache_hits{0};
  std::atomic<std::uint64_t> cache_misses{0};
  std::atomic<std::uint64_t> cache_evictions{0};

  // health()'s single-flight probe and its cached answer; `recoveries_seen` is the sum of the
  // pool's recovery counters at the last evaluation.
  std::mutex health_mutex;
  std::optional<Health> last_health;
  std::chrono::steady_clock::time_point last_probe;
  std::uint64_t recoveries_seen = 0;

 private:
  std::mutex handler_mutex_;
  std::shared_ptr<const ReliabilityEventHandler> handler_;
  // steady_clock nanoseconds since its epoch of the last recovery; min() for none.
  std::atomic<std::int64_t> last_recovery_ns_{INT64_MIN};
};

}  // namespace craton::hsm::pkcs11
