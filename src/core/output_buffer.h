// SPDX-License-Identifier: Apache-2.0
// Checks on caller-supplied output buffers (the `_into` operations of CryptoBackend), shared so
// that every backend refuses the same buffers with the same code and message.
#pragma once

#include <craton/hsm/error.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

namespace craton::hsm {

// True when the two ranges share at least one byte; an empty range shares none.
[[nodiscard]] bool overlaps(std::span<const std::uint8_t> a,
                            std::span<const std::uint8_t> b) noexcept;

// InvalidArgument when `out` overlaps any of `inputs`: the operations read their inputs while
// writing, so there is no in-place mode.
[[nodiscard]] Result<void> check_no_overlap(
    std::span<const std::uint8_t> out, std::initializer_list<std::span<const std::uint8_t>> inputs,
    std::string_view operation);

// BufferTooSmall when `available` bytes cannot hold `needed`.
[[nodiscard]] Result<void> check_output_size(std::size_t available, std::size_t needed,
                                             std::string_view operation);

// Zeroes all of `out` when `result` failed, then passes `result` on: for outputs that must
// never keep partial or unauthenticated plaintext.
[[nodiscard]] Result<std::size_t> wipe_on_failure(Result<std::size_t> result,
                                                  std::span<std::uint8_t> out) noexcept;

}  // namespace craton::hsm
