// SPDX-License-Identifier: Apache-2.0
// Unit tests of the CLI's output helpers and policies: JsonWriter, Table, exit codes, --pin.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "cli/exit_codes.h"
#include "cli/json_writer.h"
#include "cli/options.h"
#include "cli/table.h"
#include "core/json_escape.h"

namespace craton::hsm::cli {
namespace {

TEST(JsonQuote, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_quote("plain"), R"("plain")");
  EXPECT_EQ(json_quote(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(json_quote("line\nfeed\ttab\rret\b\f"), R"("line\nfeed\ttab\rret\b\f")");
  EXPECT_EQ(json_quote(std::string_view("\x01\x1f\x7f", 3)), R"("\u0001\u001f\u007f")");
  EXPECT_EQ(json_quote(std::string_view("nul\0byte", 8)), R"("nul\u0000byte")");
  EXPECT_EQ(json_quote("/"), R"("/")");
}

TEST(JsonQuote, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(json_quote("Gr\xC3\xBC\xC3\x9F"
                       "e \xE2\x82\xAC \xF0\x9F\x94\x91"),
            "\"Gr\xC3\xBC\xC3\x9F"
            "e \xE2\x82\xAC \xF0\x9F\x94\x91\"");
  const std::string replacement = "\\ufffd";  // U+REPLACEMENT CHARACTER, escaped
  EXPECT_EQ(json_quote("a\xFF"
                       "b"),
            "\"a" + replacement + "b\"");                                      // never valid
  EXPECT_EQ(json_quote("\xC3"), "\"" + replacement + "\"");                    // truncated
  EXPECT_EQ(json_quote("\xC0\xAF"), "\"" + replacement + replacement + "\"");  // overlong
  EXPECT_EQ(json_quote("\xED\xA0\x80"),                                        // surrogate
            "\"" + replacement + replacement + replacement + "\"");
}

TEST(JsonWriter, PlacesCommasBetweenMembersAndElements) {
  JsonWriter json;
  json.begin_object();
  json.key("a").value(std::uint64_t{1});
  json.key("b").begin_array().value("x").value(true).null().begin_object().end_object().end_array();
  json.key("c").value(std::optional<std::uint64_t>{});
  json.key("d").value(std::optional<std::uint64_t>{7});
  json.key("e").begin_array().end_array();
  json.key("k\"ey").value(false);
  json.end_object();
  EXPECT_EQ(json.str(), R"({"a":1,"b":["x",true,null,{}],"c":null,"d":7,"e":[],"k\"ey":false})");
}

TEST(JsonWriter, WritesLargestUnsignedValue) {
  JsonWriter json;
  json.value(std::uint64_t{18446744073709551615u});
  EXPECT_EQ(json.str(), "18446744073709551615");
}

TEST(Table, PadsColumnsAndAlignsRight) {
  Table table({{"NAME"}, {"MIN", Align::Right}, {"FLAGS"}});
  table.add_row({"CKM_AES_GCM", "16", "ENCRYPT DECRYPT"});
  table.add_row({"CKM_SHA256", "0", ""});
  EXPECT_EQ(table.render("  "),
            "  NAME         MIN  FLAGS\n"
            "  CKM_AES_GCM   16  ENCRYPT DECRYPT\n"
            "  CKM_SHA256     0\n");
}

TEST(Table, WithoutHeadersPrintsRowsOnly) {
  Table table({{""}, {""}});
  table.add_row({"label", "ci-token"});
  table.add_row({"manufacturer", "SoftHSM"});
  EXPECT_EQ(table.render(),
            "label         ci-token\n"
            "manufacturer  SoftHSM\n");
}

TEST(Table, CountsCodePointsNotBytesAndPadsShortRows) {
  Table table({{""}, {""}});
  table.add_row({"J\xC3\xBCrgen", "x"});  // 6 code points, 7 bytes
  table.add_row({"Jurgen1"});
  EXPECT_EQ(table.render(),
            "J\xC3\xBCrgen   x\n"
            "Jurgen1\n");
  EXPECT_EQ(display_width("\xE2\x82\xAC"), 1u);
}

TEST(ExitCodes, ConfigurationProblemsAreUsageErrors) {
  EXPECT_EQ(exit_code_for(ErrorCode::ConfigInvalid), ExitCode::UsageError);
  EXPECT_EQ(exit_code_for(ErrorCode::LibraryPathUnprotected), ExitCode::UsageError);
  EXPECT_EQ(exit_code_for(ErrorCode::TokenNotFound), ExitCode::UsageError);
  EXPECT_EQ(exit_code_for(ErrorCode::LibraryLoad), ExitCode::UsageError);
  EXPECT_EQ(exit_code_for(ErrorCode::NotAPkcs11Module), ExitCode::UsageError);
  EXPECT_EQ(exit_code_for(ErrorCode::PinIncorrect), ExitCode::OperationFailed);
  EXPECT_EQ(to_int(ExitCode::Ok), 0);
}

// argv-like arrays of string literals; find_pin_argument only reads them.
template <std::size_t N>
std::optional<std::string_view> find_pin(std::array<const char*, N> args) {
  return find_pin_argument(std::span<char* const>(const_cast<char* const*>(args.data()), N));
}

TEST(FindPinArgument, MatchesPinOptionsOnly) {
  EXPECT_EQ(find_pin(std::array{"info", "--pin", "1234"}), "--pin");
  EXPECT_EQ(find_pin(std::array{"info", "--pin=1234"}), "--pin");
  EXPECT_EQ(find_pin(std::array{"info", "--pin-file", "/p"}), std::nullopt);
  EXPECT_EQ(find_pin(std::array{"info", "--", "--pin"}), std::nullopt);
  EXPECT_EQ(find_pin(std::array{"info", "--pinnacle"}), std::nullopt);
}

}  // namespace
}  // namespace craton::hsm::cli
