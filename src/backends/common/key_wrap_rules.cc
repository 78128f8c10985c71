// SPDX-License-Identifier: Apache-2.0
// Key-wrap length arithmetic (RFC 3394, RFC 5649).
#include "backends/common/key_wrap_rules.h"

#include <fmt/format.h>

namespace craton::hsm::common {
namespace {

constexpr std::size_t kSemiblock = kWrapSemiblock;
constexpr std::size_t kMinKwInput = 2 * kSemiblock;

}  // namespace

std::string_view wrap_scheme_name(KeyWrapScheme scheme) noexcept {
  return scheme == KeyWrapScheme::AesKw ? "AES-KW" : "AES-KWP";
}

Result<std::size_t> wrapped_size(KeyWrapScheme scheme, std::size_t size) {
  const bool kw = scheme == KeyWrapScheme::AesKw;
  if (kw ? (size < kMinKwInput || size % kSemiblock != 0) : size == 0) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("{} cannot wrap {} bytes{}", wrap_scheme_name(scheme), size,
                            kw ? " (needs a multiple of 8, at least 16)" : ""));
  }
  // KWP pads to whole semiblocks (RFC 5649 §4.1); both add one semiblock of integrity check.
  return (size + kSemiblock - 1) / kSemiblock * kSemiblock + kSemiblock;
}

Result<void> check_wrapped_length(KeyWrapScheme scheme, std::size_t size) {
  // The shortest output of wrap_key: KW of 16 bytes, KWP of 1 byte.
  const std::size_t min_size =
      (scheme == KeyWrapScheme::AesKw ? kMinKwInput : kSemiblock) + kSemiblock;
  if (size < min_size || size % kSemiblock != 0) {
    return fail(ErrorCode::WrappedKeyInvalid,
                fmt::format("{} wrapped key of {} bytes has an impossible length",
                            wrap_scheme_name(scheme), size));
  }
  return {};
}

}  // namespace craton::hsm::common
