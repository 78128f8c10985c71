// SPDX-License-Identifier: Apache-2.0
// The key-wrap length rules both backends apply before any cryptography: what may be wrapped,
// how long the result is, and which wrapped lengths are impossible.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/schemes.h>

#include <cstddef>
#include <string_view>

namespace craton::hsm::common {

// RFC 3394/5649 work in 64-bit semiblocks; wrapping adds one of integrity check.
inline constexpr std::size_t kWrapSemiblock = 8;

// "AES-KW" or "AES-KWP", for messages.
[[nodiscard]] std::string_view wrap_scheme_name(KeyWrapScheme scheme) noexcept;

// The wrapped length of `size` input bytes. KW takes a multiple of 8 bytes, at least 16 (RFC
// 3394 §2 wraps n >= 2 semiblocks; one semiblock is no key, though Wycheproof calls it
// acceptable); KWP takes any non-empty input. Errors: InvalidArgument.
[[nodiscard]] Result<std::size_t> wrapped_size(KeyWrapScheme scheme, std::size_t size);

// Refuses wrapped inputs no wrap_key could have produced. Errors: WrappedKeyInvalid.
[[nodiscard]] Result<void> check_wrapped_length(KeyWrapScheme scheme, std::size_t size);

}  // namespace craton::hsm::common
