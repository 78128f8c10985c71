// SPDX-License-Identifier: Apache-2.0
// The caller-buffer checks: overlap at the edges, sizes, and wiping only on failure.
#include "core/output_buffer.h"

#include <array>
#include <cstdint>
#include <span>

#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

TEST(OutputBufferTest, OverlapMeansSharingAByte) {
  std::array<std::uint8_t, 16> bytes{};
  const std::span<const std::uint8_t> all(bytes);
  EXPECT_TRUE(overlaps(all.first(8), all.subspan(7, 4)));
  EXPECT_TRUE(overlaps(all.subspan(7, 4), all.first(8)));
  EXPECT_TRUE(overlaps(all, all.subspan(5, 1))) << "containment";
  EXPECT_FALSE(overlaps(all.first(8), all.subspan(8))) << "adjacent";
  EXPECT_FALSE(overlaps(all.subspan(8), all.first(8))) << "adjacent, other order";
  EXPECT_FALSE(overlaps(all.subspan(4, 0), all)) << "an empty range shares nothing";
  std::array<std::uint8_t, 4> other{};
  EXPECT_FALSE(overlaps(all, other));
}

TEST(OutputBufferTest, ChecksNameTheOperation) {
  std::array<std::uint8_t, 16> bytes{};
  const std::span<const std::uint8_t> all(bytes);
  const auto refused = check_no_overlap(all.subspan(4), {all.first(2), all.first(5)}, "sealing");
  ASSERT_THAT(refused, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_NE(refused.error().message().find("sealing"), std::string::npos);
  EXPECT_THAT(check_no_overlap(all.subspan(4), {all.first(4)}, "sealing"), IsOk());
  EXPECT_THAT(check_output_size(10, 10, "sealing"), IsOk());
  EXPECT_THAT(check_output_size(9, 10, "sealing"), HasErrorCode(ErrorCode::BufferTooSmall));
}

TEST(OutputBufferTest, WipesOnlyAfterAFailure) {
  std::array<std::uint8_t, 8> out{};
  out.fill(0xAA);
  const Result<std::size_t> kept = wipe_on_failure(std::size_t{3}, out);
  ASSERT_THAT(kept, IsOk());
  EXPECT_EQ(*kept, 3u);
  EXPECT_EQ(out[7], 0xAA);
  EXPECT_THAT(wipe_on_failure(fail(ErrorCode::AuthenticationFailed, "tag"), out),
              HasErrorCode(ErrorCode::AuthenticationFailed));
  for (const std::uint8_t b : out) EXPECT_EQ(b, 0);
}

}  // namespace
}  // namespace craton::hsm
