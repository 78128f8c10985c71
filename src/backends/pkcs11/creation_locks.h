// SPDX-License-Identifier: Apache-2.0
// CreationLocks: within one process, resident keys that could collide are created one at a
// time, so the "label and id are unused" check and the creation act as one step.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>

namespace craton::hsm::pkcs11 {

// Two creations wait for each other when they are on the same token and share a label or an
// id; others run in parallel. Other processes are kept apart by HostCreationLock (same host)
// and the recheck after creating (resident_keygen.h). Thread-safety: every member from any
// thread.
class CreationLocks {
 public:
  // Released when destroyed.
  class Hold {
   public:
    Hold(Hold&& other) noexcept;
    Hold& operator=(Hold&&) = delete;
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    ~Hold();

   private:
    friend class CreationLocks;
    Hold(CreationLocks* owner, std::string label_name, std::string id_name)
        : owner_(owner), label_name_(std::move(label_name)), id_name_(std::move(id_name)) {}
    CreationLocks* owner_;
    std::string label_name_;
    std::string id_name_;
  };

  // The one instance of the process.
  static CreationLocks& process();

  // Waits until no other creation holds this token's `label` or `id`, then holds both.
  [[nodiscard]] Hold acquire(std::string_view token_serial, std::string_view label,
                             std::span<const std::uint8_t> id);

 private:
  CreationLocks() = default;
  void release(const std::string& label_name, const std::string& id_name);

  std::mutex mutex_;
  std::condition_variable released_;
  std::set<std::string, std::less<>> held_;
};

}  // namespace craton::hsm::pkcs11
