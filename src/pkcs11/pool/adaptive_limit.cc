// SPDX-License-Identifier: Apache-2.0
// The adaptive limit's windows and decisions (the algorithm is in adaptive_limit.h).
#include "pkcs11/pool/adaptive_limit.h"

#include <algorithm>

namespace craton::hsm::pkcs11 {

namespace {

using Clock = AdaptiveLimit::Clock;

// A window measures the token only when the class stood at its limit for at least half of its
// completions; below that, the callers' demand set the pace.
constexpr double kSaturatedShare = 0.5;

std::uint32_t clamp_limit(std::uint64_t value, const AdaptiveLimitOptions& options) {
  return static_cast<std::uint32_t>(
      std::clamp<std::uint64_t>(value, options.min_limit, options.max_limit));
}

Clock::rep now_ticks_after(Clock::time_point now, std::chrono::nanoseconds delay) {
  return std::chrono::time_point_cast<Clock::duration>(now + delay).time_since_epoch().count();
}

AdaptiveLimitOptions checked(AdaptiveLimitOptions options) {
  options.min_limit = std::max<std::uint32_t>(options.min_limit, 1);
  options.max_limit = std::max(options.max_limit, options.min_limit);
  options.initial_limit = std::clamp(options.initial_limit, options.min_limit, options.max_limit);
  options.window_completions = std::max<std::uint32_t>(options.window_completions, 1);
  options.hold_min = std::max<std::uint32_t>(options.hold_min, 1);
  options.hold_max = std::max(options.hold_max, options.hold_min);
  return options;
}

}  // namespace

AdaptiveLimit::AdaptiveLimit(AdaptiveLimitOptions options, Clock::time_point now)
    : options_(checked(options)),
      window_ticks_(std::chrono::duration_cast<Clock::duration>(options_.window).count()),
      limit_(options_.initial_limit),
      window_end_(now_ticks_after(now, options_.window)),
      last_completion_(now.time_since_epoch().count()),
      window_start_(now),
      settled_(options_.initial_limit),
      hold_(options_.hold_min) {}

bool AdaptiveLimit::on_completion(Clock::time_point now, std::uint32_t in_flight) {
  const Clock::rep now_ticks = now.time_since_epoch().count();
  if (now_ticks - last_completion_.exchange(now_ticks, std::memory_order_relaxed) > window_ticks_) {
    // Nothing finished for longer than a window: the class was idle (or one operation hung).
    // The open window would count that pause as the token's slowness; start a new one here.
    const std::unique_lock lock(mutex_, std::try_to_lock);
    if (lock.owns_lock()) restart_window(now);
    return false;
  }
  const std::uint64_t completions = completions_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (in_flight >= limit_.load(std::memory_order_relaxed)) {
    at_limit_.fetch_add(1, std::memory_order_relaxed);
  }
  std::uint32_t peak = peak_in_flight_.load(std::memory_order_relaxed);
  while (in_flight > peak &&
         !peak_in_flight_.compare_exchange_weak(peak, in_flight, std::memory_order_relaxed)) {
  }
  if (completions < options_.window_completions ||
      now.time_since_epoch().count() < window_end_.load(std::memory_order_relaxed)) {
    return false;
  }
  // One thread closes the window; the others go on (their completions count in the next).
  const std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() ||
      now.time_since_epoch().count() < window_end_.load(std::memory_order_relaxed)) {
    return false;
  }
  return close_window(now);
}

void AdaptiveLimit::restart_window(Clock::time_point now) {
  completions_.store(0, std::memory_order_relaxed);
  at_limit_.store(0, std::memory_order_relaxed);
  peak_in_flight_.store(0, std::memory_order_relaxed);
  window_start_ = now;
  window_end_.store(now_ticks_after(now, options_.window), std::memory_order_relaxed);
}

bool AdaptiveLimit::close_window(Clock::time_point now) {
  const std::uint64_t completions = completions_.exchange(0, std::memory_order_relaxed);
  const std::uint64_t at_limit = at_limit_.exchange(0, std::memory_order_relaxed);
  const std::uint32_t peak = peak_in_flight_.exchange(0, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(now - window_start_).count();
  window_start_ = now;
  window_end_.store(now_ticks_after(now, options_.window), std::memory_order_relaxed);
  ++windows_;
  if (completions == 0 || seconds <= 0) return false;
  const double throughput = static_cast<double>(completions) / seconds;
  const bool saturated =
      static_cast<double>(at_limit) >= kSaturatedShare * static_cast<double>(completions);
  const std::uint32_t before = limit();

  switch (phase_) {
    case Phase::Hold:
      if (!saturated) {
        // Demand stayed below the limit: nothing to learn; the limit follows the demand down
        // so that the next probe starts from what callers actually use.
        settled_ = clamp_limit(std::min(settled_, std::max(peak, 1U)), options_);
        set_limit(settled_);
        held_ = 0;
        break;
      }
      baseline_ = throughput;
      if (++held_ < hold_) break;
      held_ = 0;
      up_target_ = clamp_limit(far_ ? std::uint64_t{settled_} * 2 : std::uint64_t{settled_} + step_,
                               options_);
      down_target_ = clamp_limit(far_ ? settled_ / 2 : settled_ - 1, options_);
      if (up_target_ > settled_) {
        phase_ = Phase::ProbeUp;
        set_limit(up_target_);
      } else if (down_target_ < settled_) {
        phase_ = Phase::ProbeDown;
        set_limit(down_target_);
      }
      break;
    case Phase::ProbeUp:
      // Valid even when demand kept it below the probed limit: it is then what admitting all
      // of the demand gives, the most a larger limit could.
      up_ = throughput;
      if (down_target_ < settled_) {
        phase_ = Phase::ProbeDown;
        set_limit(down_target_);
      } else {
        decide();
      }
      break;
    case Phase::ProbeDown:
      down_ = throughput;
      decide();
      break;
  }
  return limit() > before;
}

void AdaptiveLimit::decide() {
  if (up_ > 0 && up_ >= baseline_ * options_.grow_gain && up_ >= down_) {
    step_ = std::min(std::max(step_ * 2, up_target_ - settled_), options_.max_limit);
    settled_ = up_target_;
    hold_ = options_.hold_min;
    far_ = false;
    ++increases_;
  } else if (down_ > 0 && down_ >= baseline_ * options_.keep_ratio) {
    settled_ = down_target_;
    step_ = 1;
    hold_ = options_.hold_min;
    far_ = false;
    ++decreases_;
  } else {
    // Settled for now. The next cycle probes twice and half the limit instead of one more and
    // one less, so a curve with a plateau between two peaks (SoftHSM2's AES-GCM: best at one
    // caller, flat from two on) does not hold the limit on the plateau.
    step_ = 1;
    hold_ = std::min(hold_ * 2, options_.hold_max);
    far_ = !far_;
  }
  set_limit(settled_);
  phase_ = Phase::Hold;
  held_ = 0;
  up_ = 0;
  down_ = 0;
}

void AdaptiveLimit::set_limit(std::uint32_t value) {
  limit_.store(value, std::memory_order_relaxed);
}

AdaptiveLimit::Snapshot AdaptiveLimit::snapshot() const {
  const std::lock_guard lock(mutex_);
  return {.limit = limit(), .windows = windows_, .increases = increases_, .decreases = decreases_};
}

}  // namespace craton::hsm::pkcs11
