// SPDX-License-Identifier: Apache-2.0
// Overlap and size checks for caller-supplied output buffers.
#include "core/output_buffer.h"

#include <craton/hsm/secret.h>

#include <functional>

#include <fmt/format.h>

namespace craton::hsm {

bool overlaps(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  if (a.empty() || b.empty()) return false;
  // std::less is a total order on pointers, even into unrelated objects.
  const std::less<const std::uint8_t*> before;
  return before(a.data(), b.data() + b.size()) && before(b.data(), a.data() + a.size());
}

Result<void> check_no_overlap(std::span<const std::uint8_t> out,
                              std::initializer_list<std::span<const std::uint8_t>> inputs,
                              std::string_view operation) {
  for (const std::span<const std::uint8_t> input : inputs) {
    if (overlaps(out, input)) {
      return fail(
          ErrorCode::InvalidArgument,
          fmt::format("{}: the output buffer overlaps an input (no in-place mode)", operation));
    }
  }
  return {};
}

Result<void> check_output_size(std::size_t available, std::size_t needed,
                               std::string_view operation) {
  if (available >= needed) return {};
  return fail(
      ErrorCode::BufferTooSmall,
      fmt::format("{}: the output buffer holds {} bytes, {} needed", operation, available, needed));
}

Result<std::size_t> wipe_on_failure(Result<std::size_t> result,
                                    std::span<std::uint8_t> out) noexcept {
  if (!result) secure_wipe(out.data(), out.size());
  return result;
}

}  // namespace craton::hsm
