// SPDX-License-Identifier: Apache-2.0
// Slicing batched randomness into IVs, fork-safely.
#include "pkcs11/cache/iv_reserve.h"

#include <pthread.h>

#include <atomic>
#include <cstdlib>

#include <craton/hsm/secret.h>

namespace craton::hsm::pkcs11 {
namespace {

// Bumped in every child of fork() (glibc runs atfork handlers for fork(), not for a raw clone
// system call, which no code in this process makes).
std::atomic<std::uint64_t> fork_generation{0};

void on_fork_in_child() noexcept {
  fork_generation.fetch_add(1, std::memory_order_relaxed);
}

// The current generation; the first call registers the handler, before any reserve is filled.
std::uint64_t current_fork_generation() noexcept {
  static const bool registered = pthread_atfork(nullptr, nullptr, on_fork_in_child) == 0;
  if (!registered) std::abort();  // without fork detection, refilled IVs could repeat
  return fork_generation.load(std::memory_order_relaxed);
}

}  // namespace

std::span<const std::uint8_t> IvReserve::take() noexcept {
  // After fork() the child inherits this buffer byte for byte: using it would repeat the
  // parent's IVs under the same keys, so the child starts from fresh randomness.
  if (fork_generation_ != fork_generation.load(std::memory_order_relaxed)) clear();
  if (next_ + kIvSize > buffer_.size()) return {};
  const std::span<const std::uint8_t> iv(buffer_.data() + next_, kIvSize);
  next_ += kIvSize;
  return iv;
}

void IvReserve::filled() noexcept {
  next_ = 0;
  fork_generation_ = current_fork_generation();
}

void IvReserve::clear() noexcept {
  secure_wipe(buffer_.data(), buffer_.size());
  next_ = buffer_.size();
}

}  // namespace craton::hsm::pkcs11
