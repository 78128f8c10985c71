// SPDX-License-Identifier: Apache-2.0
// text_field: fixed-width PKCS#11 text fields as printable UTF-8, whatever the module wrote.
#include "pkcs11/session/text_field.h"

#include <gtest/gtest.h>

#include <array>
#include <string_view>
#include <vector>

namespace craton::hsm::pkcs11 {
namespace {

std::string field_of(std::string_view bytes) {
  const std::vector<std::uint8_t> field(bytes.begin(), bytes.end());
  return text_field(field);
}

TEST(TextFieldTest, BlankPaddingIsTrimmed) {
  EXPECT_EQ(field_of("ci-token                        "), "ci-token");
  EXPECT_EQ(field_of("  leading kept  "), "  leading kept");
  EXPECT_EQ(field_of("                "), "");
  EXPECT_EQ(field_of(""), "");
}

TEST(TextFieldTest, TheTextEndsAtTheFirstNul) {
  EXPECT_EQ(field_of(std::string_view("SoftHSM\0\0\0\0\0\0\0\0\0", 16)), "SoftHSM");
  EXPECT_EQ(field_of(std::string_view("abc \0def        ", 16)), "abc");
  EXPECT_EQ(field_of(std::string_view("\0bc", 3)), "");
}

TEST(TextFieldTest, NonPrintableBytesBecomeQuestionMarks) {
  EXPECT_EQ(field_of("a\x07"
                     "b\x1b[31mc\x7f"),
            "a?b?[31mc?");
  EXPECT_EQ(field_of("\x0a\x0d\x09"), "???");
  // A field with no padding and no NUL: every byte is read, none past it.
  const std::array<std::uint8_t, 4> junk{0x07, 0xff, 0x1b, 0x7f};
  EXPECT_EQ(text_field(junk), "????");
}

TEST(TextFieldTest, ValidUtf8IsKeptAndInvalidUtf8Replaced) {
  EXPECT_EQ(field_of("J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x94\x91"),
            "J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x94\x91");
  EXPECT_EQ(field_of("\xc3"), "?") << "truncated at the field's end";
  EXPECT_EQ(field_of("\xc3("), "?(") << "a lead byte without its continuation";
  EXPECT_EQ(field_of("\x80\xbf"), "??") << "stray continuation bytes";
  EXPECT_EQ(field_of("\xc0\xaf"), "??") << "overlong";
  EXPECT_EQ(field_of("\xe0\x80\xaf"), "???") << "overlong";
  EXPECT_EQ(field_of("\xed\xa0\x80"), "???") << "a surrogate";
  EXPECT_EQ(field_of("\xf4\x90\x80\x80"), "????") << "above U+10FFFF";
  EXPECT_EQ(field_of("\xf5\x80"), "??");
  EXPECT_EQ(field_of("\xc2\x85"), "??") << "a C1 control (NEL)";
  EXPECT_EQ(field_of("\xc2\xa0x"), "\xc2\xa0x") << "U+00A0 is printable";
}

TEST(TextFieldTest, TheResultIsNeverLongerThanTheField) {
  for (int byte = 0; byte < 256; ++byte) {
    const std::array<std::uint8_t, 3> field{static_cast<std::uint8_t>(byte), 0xff, 0x41};
    EXPECT_LE(text_field(field).size(), field.size());
  }
}

}  // namespace
}  // namespace craton::hsm::pkcs11
