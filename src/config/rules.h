// SPDX-License-Identifier: Apache-2.0
// The field rules shared by the TOML parser (before it narrows integers) and validate().
#pragma once

#include <craton/hsm/error.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace craton::hsm::config {

// An inclusive range of integer values a field accepts.
struct IntRange {
  std::int64_t min;
  std::int64_t max;
};

// CK_SLOT_ID is a CK_ULONG; TOML integers are signed 64-bit, so only the sign needs checking.
inline constexpr IntRange kSlotIdRange{0, std::numeric_limits<std::int64_t>::max()};
inline constexpr IntRange kPoolSizeRange{1, 256};
// Ten minutes: longer than any sane wait for a session, short enough to surface a stuck pool.
inline constexpr IntRange kAcquireTimeoutMsRange{1, 600'000};
inline constexpr IntRange kCacheCapacityRange{1, 65'536};
// NIST SP 800-38D §8.3: at most 2^32 GCM invocations per key with random 96-bit IVs.
inline constexpr IntRange kGcmMaxMessagesRange{1, std::int64_t{1} << 32};
// One operation's input; 1 GiB keeps a runaway caller from exhausting token or host memory.
inline constexpr IntRange kMaxMessageBytesRange{1, std::int64_t{1} << 30};

// PKCS#11 v2.40 §3.2 CK_TOKEN_INFO: `label` is 32 bytes and `serialNumber` 16, blank-padded,
// so a longer selector could never match any token.
inline constexpr std::size_t kTokenLabelMaxBytes = 32;
inline constexpr std::size_t kTokenSerialMaxBytes = 16;

// ConfigInvalid "<field>: must be between <min> and <max>, got <value>" when out of range.
[[nodiscard]] Result<void> check_range(std::string_view field, std::int64_t value, IntRange range);
// The same for unsigned struct fields; values above INT64_MAX are out of every range.
[[nodiscard]] Result<void> check_range(std::string_view field, std::uint64_t value, IntRange range);

// POSIX portable environment variable name: [A-Za-z_][A-Za-z0-9_]*.
[[nodiscard]] bool is_env_name(std::string_view name) noexcept;

}  // namespace craton::hsm::config
