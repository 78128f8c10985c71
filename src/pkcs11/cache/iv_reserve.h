// SPDX-License-Identifier: Apache-2.0
// IvReserve: token randomness drawn in batches and sliced into 96-bit GCM IVs, so that one
// C_GenerateRandom serves hundreds of messages. Every byte is handed out once; a reserve
// filled before fork() is discarded in the child, so parent and child never share an IV.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace craton::hsm::pkcs11 {

class IvReserve {
 public:
  static constexpr std::size_t kIvSize = 12;
  static constexpr std::size_t kBatchBytes = 4092;  // 341 IVs per C_GenerateRandom

  // The next unused IV, or an empty span when the reserve must be refilled first.
  [[nodiscard]] std::span<const std::uint8_t> take() noexcept;
  // The buffer to fill with fresh randomness; call filled() once the token has written it.
  [[nodiscard]] std::span<std::uint8_t> refill_buffer() noexcept { return buffer_; }
  void filled() noexcept;
  // Drops whatever is left (wiping it), e.g. when the session is rebuilt.
  void clear() noexcept;

 private:
  std::array<std::uint8_t, kBatchBytes> buffer_{};
  std::size_t next_ = kBatchBytes;  // nothing left
  pid_t owner_pid_ = 0;
};

}  // namespace craton::hsm::pkcs11
