// SPDX-License-Identifier: Apache-2.0
// Slicing batched randomness into IVs, fork-safely.
#include "pkcs11/cache/iv_reserve.h"

#include <unistd.h>

#include <craton/hsm/secret.h>

namespace craton::hsm::pkcs11 {

std::span<const std::uint8_t> IvReserve::take() noexcept {
  // After fork() the child inherits this buffer byte for byte: using it would repeat the
  // parent's IVs under the same keys, so the child starts from fresh randomness.
  if (owner_pid_ != getpid()) clear();
  if (next_ + kIvSize > buffer_.size()) return {};
  const std::span<const std::uint8_t> iv(buffer_.data() + next_, kIvSize);
  next_ += kIvSize;
  return iv;
}

void IvReserve::filled() noexcept {
  next_ = 0;
  owner_pid_ = getpid();
}

void IvReserve::clear() noexcept {
  secure_wipe(buffer_.data(), buffer_.size());
  next_ = buffer_.size();
}

}  // namespace craton::hsm::pkcs11
