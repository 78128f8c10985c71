// SPDX-License-Identifier: Apache-2.0
// The strict JSON reader: what it accepts, how it decodes, and the malformed input it refuses.
#include "backends/conformance/json.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace craton::hsm::conformance::json {
namespace {

using ::testing::HasSubstr;

MATCHER_P(IsRefusedWith, text, std::string("is refused with \"") + text + "\"") {
  if (arg.has_value()) {
    *result_listener << "was accepted";
    return false;
  }
  *result_listener << "refused at " << arg.error().offset << ": " << arg.error().message;
  return arg.error().message.find(text) != std::string::npos;
}

TEST(Json, ReadsAWycheproofShapedDocument) {
  const auto doc = parse(R"({
    "schema": "aead_test_schema_v1.json", "numberOfTests": 2,
    "testGroups": [ { "ivSize": 96, "tests": [ {"tcId": 1, "flags": [], "result": "valid"},
                                               {"tcId": 2, "ok": true, "none": null} ] } ] })");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_EQ(doc->at("schema").as_string(), "aead_test_schema_v1.json");
  EXPECT_EQ(doc->at("numberOfTests").as_int(), 2);
  const Array& tests = doc->at("testGroups").as_array().at(0).at("tests").as_array();
  ASSERT_EQ(tests.size(), 2U);
  EXPECT_TRUE(tests[0].at("flags").as_array().empty());
  EXPECT_TRUE(tests[1].at("ok").as_bool());
  EXPECT_TRUE(tests[1].at("none").is_null());
  EXPECT_EQ(tests[1].find("result"), nullptr);
}

TEST(Json, DecodesEveryEscapeIncludingSurrogatePairs) {
  const auto doc = parse(R"(["\"\\\/\b\f\n\r\t", "\u00e9\u20ac", "\ud83d\ude00", "h\u00E9"])");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  const Array& strings = doc->as_array();
  EXPECT_EQ(strings[0].as_string(), "\"\\/\b\f\n\r\t");
  EXPECT_EQ(strings[1].as_string(), "\xc3\xa9\xe2\x82\xac");
  EXPECT_EQ(strings[2].as_string(), "\xf0\x9f\x98\x80");
  EXPECT_EQ(strings[3].as_string(), "h\xc3\xa9");
}

TEST(Json, ReadsNumbersAsWritten) {
  const auto doc = parse("[0, -7, 2056, 1.5, -0.25e2, 9223372036854775807]");
  ASSERT_TRUE(doc.has_value());
  const Array& n = doc->as_array();
  EXPECT_EQ(n[0].as_int(), 0);
  EXPECT_EQ(n[1].as_int(), -7);
  EXPECT_EQ(n[2].as_int(), 2056);
  EXPECT_DOUBLE_EQ(n[3].as_double(), 1.5);
  EXPECT_DOUBLE_EQ(n[4].as_double(), -25.0);
  EXPECT_EQ(n[5].as_int(), 9223372036854775807);
  EXPECT_THROW((void)n[3].as_int(), TypeError) << "1.5 is not an integer";
}

TEST(Json, AccessorsRefuseTheWrongTypeAndMissingMembers) {
  const auto doc = parse(R"({"a": "text"})");
  ASSERT_TRUE(doc.has_value());
  EXPECT_THROW((void)doc->at("a").as_int(), TypeError);
  EXPECT_THROW((void)doc->at("a").as_array(), TypeError);
  EXPECT_THROW((void)doc->at("b"), TypeError);
  EXPECT_THROW((void)doc->as_string(), TypeError);
}

TEST(Json, RefusesMalformedInput) {
  EXPECT_THAT(parse(""), IsRefusedWith("unexpected end"));
  EXPECT_THAT(parse("[1,]"), IsRefusedWith("unexpected character"));
  EXPECT_THAT(parse(R"({"a":1,})"), IsRefusedWith("member name"));
  EXPECT_THAT(parse("[01]"), IsRefusedWith("leading zero"));
  EXPECT_THAT(parse("[1.]"), IsRefusedWith("after '.'"));
  EXPECT_THAT(parse("[1e]"), IsRefusedWith("exponent"));
  EXPECT_THAT(parse("[+1]"), IsRefusedWith("unexpected character"));
  EXPECT_THAT(parse("[tru]"), IsRefusedWith("unexpected character"));
  EXPECT_THAT(parse("[1] x"), IsRefusedWith("trailing"));
  EXPECT_THAT(parse("[1 2]"), IsRefusedWith("expected ','"));
  EXPECT_THAT(parse(R"({"a" 1})"), IsRefusedWith("expected ':'"));
  EXPECT_THAT(parse(R"({"a":1,"a":2})"), IsRefusedWith("duplicate member name"));
  EXPECT_THAT(parse("[\"a\tb\"]"), IsRefusedWith("control character"));
  EXPECT_THAT(parse(R"(["\x"])"), IsRefusedWith("invalid escape"));
  EXPECT_THAT(parse(R"(["\u12"])"), IsRefusedWith("four hex digits"));
  EXPECT_THAT(parse(R"(["\ud83d"])"), IsRefusedWith("without a low surrogate"));
  EXPECT_THAT(parse(R"(["\ude00"])"), IsRefusedWith("lone low surrogate"));
  EXPECT_THAT(parse("[\"\xc3\"]"), IsRefusedWith("invalid UTF-8"));
  EXPECT_THAT(parse("[\"\xc0\xaf\"]"), IsRefusedWith("invalid UTF-8")) << "overlong";
  EXPECT_THAT(parse("[\"\xed\xa0\x80\"]"), IsRefusedWith("invalid UTF-8")) << "surrogate";
  EXPECT_THAT(parse("\"unterminated"), IsRefusedWith("unterminated"));
  EXPECT_THAT(parse(std::string(300, '[') + std::string(300, ']')), IsRefusedWith("too deep"));
}

TEST(Json, ReportsWhereTheInputWentWrong) {
  const auto doc = parse("{\"a\": [1, 2, x]}");
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().offset, 13U);
  EXPECT_THAT(doc.error().message, HasSubstr("unexpected character"));
}

}  // namespace
}  // namespace craton::hsm::conformance::json
