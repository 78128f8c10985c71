// SPDX-License-Identifier: Apache-2.0
// How many operations the backend lets onto the token at once, per class of operation
// (docs/concurrency.md). A token that serialises internally gets slower in total when more
// callers reach it at once; one with many cores gets faster until they are busy. The limit is
// independent of pool_size and of how many application threads call in: callers beyond it wait
// their turn (first come, first served) within acquire_timeout.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/export.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace craton::hsm {

// Operations that load a token alike share a class and a limit: AES and HMAC (short), EC
// (ECDSA, EdDSA, ECDH), RSA (long: scales with the token's cores), and the rest (digest,
// random).
enum class OperationClass : std::uint8_t { Symmetric, Ec, Rsa, Other };
inline constexpr std::size_t kOperationClassCount = 4;
// "symmetric", "ec", "rsa", "other".
[[nodiscard]] CRATON_HSM_API std::string_view operation_class_name(OperationClass value) noexcept;

// One class's limit: none (every caller goes through to the token, as a bare PKCS#11 call
// would), a fixed number in flight, or adaptive (found and kept from the token's measured
// throughput).
struct CRATON_HSM_API ConcurrencyLimit {
  enum class Mode : std::uint8_t { Unlimited, Fixed, Adaptive };
  Mode mode = Mode::Unlimited;
  std::uint32_t fixed = 0;  // Mode::Fixed: operations in flight, 1..256

  [[nodiscard]] static ConcurrencyLimit unlimited() noexcept { return {}; }
  [[nodiscard]] static ConcurrencyLimit adaptive() noexcept { return {Mode::Adaptive, 0}; }
  [[nodiscard]] static ConcurrencyLimit at_most(std::uint32_t n) noexcept {
    return {Mode::Fixed, n};
  }
  // "unlimited", "adaptive", or the number.
  [[nodiscard]] std::string to_string() const;
  // The config spelling: "unlimited", "adaptive" or a decimal 1..256. Errors: ConfigInvalid
  // naming `field`.
  [[nodiscard]] static Result<ConcurrencyLimit> parse(std::string_view text,
                                                      std::string_view field);
  friend bool operator==(const ConcurrencyLimit&, const ConcurrencyLimit&) = default;
};

struct CRATON_HSM_API ConcurrencyConfig {
  std::array<ConcurrencyLimit, kOperationClassCount> limits{};  // indexed by OperationClass

  [[nodiscard]] ConcurrencyLimit& operator[](OperationClass value) noexcept {
    return limits[static_cast<std::size_t>(value)];
  }
  [[nodiscard]] const ConcurrencyLimit& operator[](OperationClass value) const noexcept {
    return limits[static_cast<std::size_t>(value)];
  }
  // Every class with `limit`.
  [[nodiscard]] static ConcurrencyConfig all(ConcurrencyLimit limit) noexcept {
    ConcurrencyConfig config;
    config.limits.fill(limit);
    return config;
  }
  // "adaptive" when every class has it, else "symmetric=adaptive, ec=4, ...".
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const ConcurrencyConfig&, const ConcurrencyConfig&) = default;
};

}  // namespace craton::hsm
