// SPDX-License-Identifier: Apache-2.0
// The field rules shared by the TOML parser (before it narrows integers) and validate().
#pragma once

#include <craton/hsm/audit.h>
#include <craton/hsm/config.h>
#include <craton/hsm/error.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
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
// Zero: no per-operation deadline.
inline constexpr IntRange kOperationTimeoutMsRange{0, 600'000};
// Zero: no breaker. A thousand failures in a row is already far past any useful threshold.
inline constexpr IntRange kBreakerThresholdRange{0, 1000};
inline constexpr IntRange kBreakerCooldownMsRange{1, 600'000};
// Operations of one class in flight on the token: pool_size's range.
inline constexpr IntRange kConcurrencyRange = kPoolSizeRange;
// NIST SP 800-38D §8.3: at most 2^32 GCM invocations per key with random 96-bit IVs.
inline constexpr IntRange kGcmMaxMessagesRange{1, std::int64_t{1} << 32};
// One operation's input; 1 GiB keeps a runaway caller from exhausting token or host memory.
inline constexpr IntRange kMaxMessageBytesRange{1, std::int64_t{1} << 30};

// PKCS#11 v2.40 §3.2 CK_TOKEN_INFO: `label` is 32 bytes and `serialNumber` 16, blank-padded,
// so a longer selector could never match any token.
inline constexpr std::size_t kTokenLabelMaxBytes = 32;
inline constexpr std::size_t kTokenSerialMaxBytes = 16;
// The other CK_TOKEN_INFO / CK_SLOT_INFO text fields a token URI may match.
inline constexpr std::size_t kTokenManufacturerMaxBytes = 32;
inline constexpr std::size_t kTokenModelMaxBytes = 16;
inline constexpr std::size_t kSlotDescriptionMaxBytes = 64;
inline constexpr std::size_t kSlotManufacturerMaxBytes = 32;

// C_Initialize's pReserved string: NSS's init strings are a few hundred bytes at most.
inline constexpr std::size_t kInitReservedMaxBytes = 4096;

// A resident key's CKA_LABEL (ResidentKeySpec: 1..128 bytes), here the audit chain key's.
inline constexpr std::size_t kKeyLabelMaxBytes = 128;

// [audit]. The queue bound keeps a stalled writer from holding more than ~1 Mi records in
// memory; a minute is longer than any fsync should take, short enough to notice a dead disk.
inline constexpr IntRange kAuditQueueCapacityRange{1, std::int64_t{1} << 20};
inline constexpr IntRange kAuditMaxWaitMsRange{1, 60'000};
// Waiting for another process's writer to close the trail: 0 refuses at once; ten minutes is
// longer than any command should hold it.
inline constexpr IntRange kAuditLockTimeoutMsRange{0, 600'000};
// Rotation below one page would start a new file for almost every record.
inline constexpr std::uint64_t kAuditRotateBytesMin = 4096;

// [budget]. A block is what a process reserves at once and loses if it dies: 2^20 keeps that
// loss below 1/4096 of the 2^32 GCM limit per process. The timeout bounds each store round
// trip; ten minutes, like the other timeouts, is far past any useful value.
inline constexpr IntRange kBudgetBlockRange{1, std::int64_t{1} << 20};
inline constexpr IntRange kBudgetTimeoutMsRange{1, 600'000};

// The TOML spellings of the audit enums ("per_record", "fail_closed", ...), both ways.
[[nodiscard]] std::string_view durability_name(AuditDurability durability) noexcept;
[[nodiscard]] std::optional<AuditDurability> durability_from_name(std::string_view name) noexcept;
[[nodiscard]] std::string_view failure_policy_name(AuditFailurePolicy policy) noexcept;
[[nodiscard]] std::optional<AuditFailurePolicy> failure_policy_from_name(
    std::string_view name) noexcept;

// The module to load: library_path, or else the token URI's module-path.
[[nodiscard]] std::filesystem::path effective_library_path(const Pkcs11PassthroughConfig& config);

// ConfigInvalid "<field>: must be between <min> and <max>, got <value>" when out of range.
[[nodiscard]] Result<void> check_range(std::string_view field, std::int64_t value, IntRange range);
// The same for unsigned struct fields; values above INT64_MAX are out of every range.
[[nodiscard]] Result<void> check_range(std::string_view field, std::uint64_t value, IntRange range);

// POSIX portable environment variable name: [A-Za-z_][A-Za-z0-9_]*.
[[nodiscard]] bool is_env_name(std::string_view name) noexcept;

}  // namespace craton::hsm::config
