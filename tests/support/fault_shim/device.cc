// SPDX-License-Identifier: Apache-2.0
// The simulated device's restarts, absences and sleeps.
#include "device.h"

#include <algorithm>
#include <chrono>

#include "counters.h"
#include "fault_plan.h"
#include "handles.h"
#include "real_module.h"

namespace craton::hsm::fault_shim {
namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr std::int64_t kNsPerMs = 1000000;

}  // namespace

Device::Inside::Inside() {
  device().enter();
}

Device::Inside::~Inside() {
  device().leave();
}

void Device::enter() {
  std::unique_lock lock(gate_mutex_);
  gate_cv_.wait(lock, [&] { return !restarting_; });
  ++inside_;
  counters().enter();
}

void Device::leave() {
  const std::lock_guard lock(gate_mutex_);
  counters().leave();
  if (--inside_ == 0) gate_cv_.notify_all();
}

void Device::restart() {
  std::unique_lock lock(gate_mutex_);
  // Another restart in progress does the same work: wait for it, then do ours.
  gate_cv_.wait(lock, [&] { return !restarting_; });
  restarting_ = true;
  gate_cv_.wait(lock, [&] { return inside_ == 0; });
  lock.unlock();
  for (const CK_SLOT_ID slot : handles().restart()) {
    // The real sessions die and the login with them; token objects stay.
    if (real() != nullptr) real()->C_CloseAllSessions(slot);
  }
  counters().restart();
  if (const std::int64_t every = restart_every_ns_.load(); every != 0) {
    next_restart_ns_ = now_ns() + every;
  }
  lock.lock();
  restarting_ = false;
  gate_cv_.notify_all();
}

void Device::log_out() {
  std::unique_lock lock(gate_mutex_);
  gate_cv_.wait(lock, [&] { return !restarting_; });
  restarting_ = true;
  gate_cv_.wait(lock, [&] { return inside_ == 0; });
  lock.unlock();
  for (const CK_SESSION_HANDLE session : handles().one_real_session_per_slot()) {
    if (real() != nullptr) real()->C_Logout(session);
  }
  lock.lock();
  restarting_ = false;
  gate_cv_.notify_all();
}

void Device::vanish(unsigned long ms) {
  // Gone first, so that no session opened while the restart drains survives it.
  vanished_until_ns_ = now_ns() + static_cast<std::int64_t>(std::min(ms, kMaxSleepMs)) * kNsPerMs;
  restart();
}

bool Device::vanished() const {
  const std::int64_t until = vanished_until_ns_.load(std::memory_order_relaxed);
  return until != 0 && now_ns() < until;
}

void Device::restart_every(unsigned long ms) {
  const auto every = static_cast<std::int64_t>(ms) * kNsPerMs;
  restart_every_ns_ = every;
  next_restart_ns_ = every == 0 ? 0 : now_ns() + every;
}

void Device::tick() {
  std::int64_t due = next_restart_ns_.load(std::memory_order_relaxed);
  if (due == 0 || now_ns() < due) return;
  // One caller wins the due restart; the others carry on.
  if (next_restart_ns_.compare_exchange_strong(due, now_ns() + restart_every_ns_.load())) {
    restart();
  }
}

void Device::sleep(unsigned long ms) {
  std::unique_lock lock(sleep_mutex_);
  const std::uint64_t generation = wake_generation_;
  sleep_cv_.wait_for(lock, std::chrono::milliseconds(std::min(ms, kMaxSleepMs)),
                     [&] { return wake_generation_ != generation; });
}

void Device::reset() {
  vanished_until_ns_ = 0;
  restart_every(0);
  const std::lock_guard lock(sleep_mutex_);
  ++wake_generation_;
  sleep_cv_.notify_all();
}

Device& device() {
  static Device instance;
  return instance;
}

}  // namespace craton::hsm::fault_shim
