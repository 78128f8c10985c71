// SPDX-License-Identifier: Apache-2.0
// IvReserve: token randomness drawn in batches and sliced into 96-bit GCM IVs, so that one
// C_GenerateRandom serves hundreds of messages. Every byte is handed out once; a reserve
// filled before fork() is discarded in the child, so parent and child never share an IV.
// Fork is detected by a pthread_atfork generation counter, not getpid(): getpid() is a system
// call on every take() (glibc stopped caching it in 2.25) and cost ~3 us per AES-GCM message
// on a virtualised host, 20 % of a 1 KiB encryption.
#pragma once

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
  std::size_t next_ = kBatchBytes;     // nothing left
  std::uint64_t fork_generation_ = 0;  // the process generation the buffer was filled in
};

}  // namespace craton::hsm::pkcs11
