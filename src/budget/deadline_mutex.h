// SPDX-License-Identifier: Apache-2.0
// DeadlineMutex: a mutex that can be waited for until a deadline (std::unique_lock's
// try_lock_until works with it), made of a std::mutex and a condition variable. Not
// std::timed_mutex: libstdc++ implements its try_lock_until with pthread_mutex_clocklock,
// which GCC 12's ThreadSanitizer does not see, so every unlock of a lock taken that way is
// reported as the unlock of an unlocked mutex.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace craton::hsm::budget {

class DeadlineMutex {
 public:
  void lock() {
    std::unique_lock guard(mutex_);
    free_.wait(guard, [this] { return !held_; });
    held_ = true;
  }
  bool try_lock() {
    const std::lock_guard guard(mutex_);
    if (held_) return false;
    held_ = true;
    return true;
  }
  template <typename Clock, typename Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) {
    std::unique_lock guard(mutex_);
    if (!free_.wait_until(guard, deadline, [this] { return !held_; })) return false;
    held_ = true;
    return true;
  }
  template <typename Rep, typename Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
    return try_lock_until(std::chrono::steady_clock::now() + timeout);
  }
  void unlock() {
    {
      const std::lock_guard guard(mutex_);
      held_ = false;
    }
    free_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable free_;
  bool held_ = false;
};

}  // namespace craton::hsm::budget
