// SPDX-License-Identifier: Apache-2.0
// KeyIdentity as text: 64 lower-case hex digits out, the same (of either case) back in.
#include <gtest/gtest.h>

#include "budget/budget_store.h"
#include "budget/budget_test_util.h"

namespace craton::hsm::budget {
namespace {

TEST(KeyIdentityTest, HexIsSixtyFourLowerCaseDigitsAndRoundTrips) {
  KeyIdentity key;
  for (std::size_t i = 0; i < key.bytes.size(); ++i)
    key.bytes[i] = static_cast<std::uint8_t>(i * 8 + 5);
  const std::string hex = key.hex();
  EXPECT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex.substr(0, 8), "050d151d");
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(KeyIdentity::from_hex(hex), key);
}

TEST(KeyIdentityTest, UpperCaseDigitsNameTheSameKey) {
  const KeyIdentity key = testing::test_key(0xab);
  std::string upper = key.hex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(KeyIdentity::from_hex(upper), key);
}

TEST(KeyIdentityTest, AnythingElseIsRefused) {
  const std::string good = testing::test_key(0x11).hex();
  EXPECT_FALSE(KeyIdentity::from_hex(""));
  EXPECT_FALSE(KeyIdentity::from_hex(good.substr(1)));
  EXPECT_FALSE(KeyIdentity::from_hex(good + "0"));
  EXPECT_FALSE(KeyIdentity::from_hex(good.substr(2) + "0g"));
  EXPECT_FALSE(KeyIdentity::from_hex(good.substr(2) + " 1"));
  EXPECT_FALSE(KeyIdentity::from_hex("0x" + good.substr(2)));
  std::string with_nul = good;
  with_nul[10] = '\0';
  EXPECT_FALSE(KeyIdentity::from_hex(with_nul));
}

}  // namespace
}  // namespace craton::hsm::budget
