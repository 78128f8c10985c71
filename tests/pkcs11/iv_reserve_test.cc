// SPDX-License-Identifier: Apache-2.0
// IvReserve: each IV handed out once, refills on demand, and nothing carried across fork().
#include "pkcs11/cache/iv_reserve.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace craton::hsm::pkcs11 {
namespace {

// Stands in for token randomness: every 12-byte slice starts with its own index.
void fill_with_counter(IvReserve& reserve) {
  auto buffer = reserve.refill_buffer();
  std::fill(buffer.begin(), buffer.end(), 0xaa);
  for (std::size_t slice = 0; slice * IvReserve::kIvSize < buffer.size(); ++slice) {
    buffer[slice * IvReserve::kIvSize] = static_cast<std::uint8_t>(slice);
    buffer[slice * IvReserve::kIvSize + 1] = static_cast<std::uint8_t>(slice >> 8);
  }
  reserve.filled();
}

TEST(IvReserveTest, StartsEmptyAndAsksForRandomness) {
  IvReserve reserve;
  EXPECT_TRUE(reserve.take().empty());
}

TEST(IvReserveTest, HandsOutEveryByteOnceThenAsksAgain) {
  IvReserve reserve;
  fill_with_counter(reserve);
  std::set<std::vector<std::uint8_t>> seen;
  std::size_t handed_out = 0;
  for (auto iv = reserve.take(); !iv.empty(); iv = reserve.take()) {
    ASSERT_EQ(iv.size(), IvReserve::kIvSize);
    seen.insert({iv.begin(), iv.end()});
    ++handed_out;
  }
  EXPECT_EQ(handed_out, IvReserve::kBatchBytes / IvReserve::kIvSize);
  EXPECT_EQ(seen.size(), handed_out) << "no slice handed out twice";
}

TEST(IvReserveTest, ClearWipesWhatIsLeft) {
  IvReserve reserve;
  fill_with_counter(reserve);
  ASSERT_FALSE(reserve.take().empty());
  reserve.clear();
  EXPECT_TRUE(reserve.take().empty());
  const auto buffer = reserve.refill_buffer();
  EXPECT_TRUE(std::all_of(buffer.begin(), buffer.end(), [](std::uint8_t b) { return b == 0; }));
}

TEST(IvReserveTest, AChildProcessNeverReusesTheParentsReserve) {
  IvReserve reserve;
  fill_with_counter(reserve);
  ASSERT_FALSE(reserve.take().empty());
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    // In the child the inherited reserve must be discarded: 0 = correct behaviour.
    _exit(reserve.take().empty() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child took an IV the parent could also take";
  EXPECT_FALSE(reserve.take().empty()) << "the parent keeps its own reserve";
}

}  // namespace
}  // namespace craton::hsm::pkcs11
