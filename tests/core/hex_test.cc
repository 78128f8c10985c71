// SPDX-License-Identifier: Apache-2.0
// The one hex encoder: digits for every byte value, both cases, appending, and digit values.
#include "core/hex.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include <gtest/gtest.h>

namespace craton::hsm {
namespace {

// Moved from the audit format tests, where append_hex used to live.
TEST(Hex, AppendsLowerCaseDigitsAfterWhatIsThere) {
  std::string out = "fp:";
  const std::array<std::uint8_t, 4> bytes{0x00, 0x9f, 0xa0, 0xff};
  append_hex(out, bytes);
  EXPECT_EQ(out, "fp:009fa0ff");
  append_hex(out, std::span<const std::uint8_t>());
  EXPECT_EQ(out, "fp:009fa0ff");
}

TEST(Hex, EveryByteValueRoundTripsThroughTheDigitValues) {
  std::array<std::uint8_t, 256> all{};
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
  for (const HexCase letters : {HexCase::Lower, HexCase::Upper}) {
    const std::string hex = to_hex(all, letters);
    ASSERT_EQ(hex.size(), 512u);
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto high = hex_digit_value(hex[2 * i]);
      const auto low = hex_digit_value(hex[2 * i + 1]);
      ASSERT_TRUE(high && low) << hex.substr(2 * i, 2);
      EXPECT_EQ((*high << 4) | *low, static_cast<int>(i));
    }
  }
}

TEST(Hex, UpperCaseOnlyWhenAsked) {
  const std::array<std::uint8_t, 3> bytes{0xab, 0xcd, 0xef};
  EXPECT_EQ(to_hex(bytes), "abcdef");
  EXPECT_EQ(to_hex(bytes, HexCase::Upper), "ABCDEF");
  std::string escape = "%";
  append_hex(escape, std::span(bytes).first(1), HexCase::Upper);
  EXPECT_EQ(escape, "%AB");
}

TEST(Hex, TextIsEncodedByItsBytes) {
  EXPECT_EQ(to_hex(std::string_view("A\xff\0z", 4)), "41ff007a");
  EXPECT_EQ(to_hex(std::string_view()), "");
}

TEST(Hex, DigitValuesRefuseEverythingElse) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('9'), 9);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  for (const char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0', '\xff', 'x'}) {
    EXPECT_FALSE(hex_digit_value(c).has_value()) << static_cast<int>(c);
  }
}

}  // namespace
}  // namespace craton::hsm
