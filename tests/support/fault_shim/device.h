// SPDX-License-Identifier: Apache-2.0
// Device: the simulated HSM's life: the gate every real call passes, restarts, vanish
// windows, periodic restarts and bounded sleeps (slow and hung calls).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace craton::hsm::fault_shim {

// Thread-safe. A restart waits for the calls inside the real module to leave and holds new
// ones at the gate meanwhile: closing a session under a running call would be a
// use-after-free inside SoftHSM2, not a fault a real HSM shows.
class Device {
 public:
  // Held around each call into the real module.
  class Inside {
   public:
    Inside();
    ~Inside();
    Inside(const Inside&) = delete;
    Inside& operator=(const Inside&) = delete;
  };

  // Every session and object handle becomes stale, the real module's sessions are closed
  // (the login goes with them), and the device answers again at once.
  void restart();
  // The login is lost (the token logs the application out) between calls, as restart() does
  // its work: sessions and handles stay valid, private objects become inaccessible and private
  // session objects die (v2.40 §5.6). SoftHSM2 answers calls that race its C_Logout with
  // whatever the half-invalidated object says (CKR_KEY_TYPE_INCONSISTENT, CKR_GENERAL_ERROR,
  // ...), which no real HSM shows.
  void log_out();
  // `ms` of CKR_DEVICE_REMOVED / CKR_TOKEN_NOT_PRESENT, beginning with a restart.
  void vanish(unsigned long ms);
  [[nodiscard]] bool vanished() const;
  // A restart whenever `ms` have passed since the last one (0 = never), checked by tick().
  void restart_every(unsigned long ms);
  // Called at the start of every call: runs a periodic restart that is due.
  void tick();
  // Sleeps up to `ms` (at most kMaxSleepMs); reset() wakes every sleeper at once.
  void sleep(unsigned long ms);
  // Ends a vanish window and periodic restarts, and wakes sleepers.
  void reset();

 private:
  void enter();
  void leave();

  std::mutex gate_mutex_;
  std::condition_variable gate_cv_;
  unsigned long inside_ = 0;
  bool restarting_ = false;

  std::atomic<std::int64_t> vanished_until_ns_{0};
  std::atomic<std::int64_t> restart_every_ns_{0};
  std::atomic<std::int64_t> next_restart_ns_{0};

  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
  std::uint64_t wake_generation_ = 0;
};

Device& device();

}  // namespace craton::hsm::fault_shim
