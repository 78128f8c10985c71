// SPDX-License-Identifier: Apache-2.0
// HostCreationLock: processes of one user on one host create resident keys on a token one at a
// time, so that a process creating a key can never miss one another process made meanwhile.
#pragma once

#include <string>
#include <string_view>

#include "core/unique_fd.h"

namespace craton::hsm::pkcs11 {

// An exclusive flock(2) on a per-token file in a directory only this user can enter:
// $XDG_RUNTIME_DIR/craton-hsm, or /tmp/craton-hsm-<uid>. Software tokens keep per-process
// views of their store (SoftHSM2 caches objects per process), so the recheck after creating
// (resident_keygen.h) can be blind to a key another local process made at the same moment;
// with this lock it never overlaps one. Processes of other users and other hosts still rely
// on that recheck. The kernel drops the lock when its holder dies. Move-only; not thread-safe
// (each creation takes its own).
class HostCreationLock {
 public:
  // Waits until no other local process holds the token's lock. When the directory cannot be
  // used (someone else's, group- or world-accessible, not a directory), reports a diagnostic
  // and returns without a lock: creation then relies on the recheck alone.
  [[nodiscard]] static HostCreationLock acquire(std::string_view token_serial);

  // Whether the lock is held (false when the directory could not be used).
  [[nodiscard]] bool held() const noexcept { return fd_.valid(); }
  // The directory the lock files live in, for diagnostics and tests.
  [[nodiscard]] static std::string directory();

 private:
  explicit HostCreationLock(UniqueFd fd) : fd_(std::move(fd)) {}
  // Reports why the lock cannot be taken and returns none.
  static HostCreationLock unlocked(std::string why);
  UniqueFd fd_;  // closing it releases the flock
};

}  // namespace craton::hsm::pkcs11
