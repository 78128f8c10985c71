// SPDX-License-Identifier: Apache-2.0
// The record format: operation names, JSON escaping, timestamps, the field layout, and the
// field scanner the verifier relies on.
#include "audit_test_util.h"

#include "audit/record_fields.h"
#include "audit/record_format.h"
#include "core/json_escape.h"

#include <array>
#include <regex>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string escaped(std::string_view text) {
  std::string out;
  append_json_escaped(out, text);
  return out;
}

TEST(AuditOperationName, EveryOperationHasAUniqueSnakeCaseName) {
  std::set<std::string_view> seen;
  const std::regex snake("[a-z][a-z0-9_]*");
  for (int i = 0; i <= static_cast<int>(AuditOperation::Recovery); ++i) {
    const auto name = audit_operation_name(static_cast<AuditOperation>(i));
    EXPECT_TRUE(std::regex_match(std::string(name), snake)) << name;
    EXPECT_TRUE(seen.insert(name).second) << "duplicate " << name;
  }
  EXPECT_EQ(audit_operation_name(AuditOperation::AesGcmEncrypt), "aes_gcm_encrypt");
  EXPECT_EQ(audit_operation_name(AuditOperation::BackendStart), "backend_start");
  EXPECT_EQ(audit_operation_name(static_cast<AuditOperation>(200)), "unknown");
}

TEST(AuditJsonEscape, QuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(escaped("plain text"), "plain text");
  EXPECT_EQ(escaped("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(escaped("l1\nl2\r\t\b\f"), "l1\\nl2\\r\\t\\b\\f");
  EXPECT_EQ(escaped(std::string_view("\0\x01\x1b[31m\x7f", 8)), "\\u0000\\u0001\\u001b[31m\\u007f");
}

TEST(AuditJsonEscape, ValidUtf8IsKeptAndInvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91");
  EXPECT_EQ(escaped("\xff"), "\\ufffd");
  EXPECT_EQ(escaped("\xc0\xaf"), "\\ufffd\\ufffd");                        // overlong '/'
  EXPECT_EQ(escaped("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");             // a UTF-16 surrogate
  EXPECT_EQ(escaped("\xf4\x90\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd");  // past U+10FFFF
  EXPECT_EQ(escaped("ok\xe2\x82"), "ok\\ufffd\\ufffd");                    // cut short
}

TEST(AuditJsonEscape, ClippingNeverSplitsACharacter) {
  EXPECT_EQ(clip_utf8("abc", 10), "abc");
  EXPECT_EQ(clip_utf8("ab\xe2\x82\xac", 4), "ab");
  EXPECT_EQ(clip_utf8("ab\xe2\x82\xac", 5), "ab\xe2\x82\xac");
}

TEST(AuditTimestamp, UtcWithMicroseconds) {
  using namespace std::chrono;
  const sys_days day = year{2026} / November / 27;
  const auto time = day + hours(19) + minutes(8) + seconds(30) + microseconds(123456);
  std::string out;
  audit::append_timestamp(out, time_point_cast<system_clock::duration>(time));
  EXPECT_EQ(out, "2026-11-27T19:08:30.123456Z");
}

TEST(AuditRecordLine, CarriesEveryDocumentedField) {
  AuditEvent event = sample_event("admin \"note\"");
  event.key.fingerprint = std::array<std::uint8_t, 32>{};
  event.key.fingerprint->fill(0xab);
  event.error = ErrorCode::PinIncorrect;
  event.ckr = "CKR_PIN_INCORRECT";
  event.duration = std::chrono::microseconds(1234);
  event.software_fallback = true;
  event.retries = 2;
  audit::QueuedEvent queued{std::move(event), std::chrono::system_clock::now()};
  audit::RecordFormatter formatter(sample_origin());
  std::string line;
  formatter.event(line, queued, 42, std::string(64, 'c'));
  EXPECT_THAT(line, HasSubstr("\"seq\":42,\"op\":\"sign\",\"mech\":\"CKM_ECDSA\""));
  EXPECT_THAT(line, HasSubstr("\"key\":\"fp:" + [] {
                std::string ab;
                for (int i = 0; i < 32; ++i) ab += "ab";
                return ab;
              }() + "\""));
  EXPECT_THAT(line,
              HasSubstr("\"in\":32,\"out\":64,\"outcome\":\"error\",\"code\":\"PinIncorrect\","
                        "\"ckr\":\"CKR_PIN_INCORRECT\",\"us\":1234"));
  EXPECT_THAT(line, HasSubstr("\"backend\":\"pkcs11:SoftHSM\",\"token\":\"audit-token\","
                              "\"serial\":\"0123\",\"slot\":7"));
  EXPECT_THAT(line, HasSubstr("\"fallback\":true,\"recovered\":false,\"retries\":2"));
  EXPECT_THAT(line, HasSubstr("\"detail\":\"admin \\\"note\\\"\""));
  EXPECT_TRUE(line.ends_with(",\"prev\":\"" + std::string(64, 'c') + "\""));
  const std::regex start(R"(\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z",.*)");
  EXPECT_TRUE(std::regex_match(line, start)) << line;
}

TEST(AuditRecordLine, SuccessfulEventWithResidentKeyOmitsErrorFields) {
  AuditEvent event;
  event.operation = AuditOperation::Random;
  event.key.resident = std::make_shared<const std::string>("pkcs11:object=k1;id=%01");
  audit::RecordFormatter formatter(sample_origin());
  std::string line;
  formatter.event(line, {std::move(event), std::chrono::system_clock::now()}, 1, "");
  EXPECT_THAT(line, HasSubstr("\"op\":\"random\",\"key\":\"pkcs11:object=k1;id=%01\""));
  EXPECT_THAT(line, HasSubstr("\"outcome\":\"ok\""));
  EXPECT_THAT(line, Not(HasSubstr("\"code\"")));
  EXPECT_THAT(line, Not(HasSubstr("\"ckr\"")));
  EXPECT_THAT(line, Not(HasSubstr("\"mech\"")));
  EXPECT_THAT(line, Not(HasSubstr("\"detail\"")));
}

TEST(AuditRecordLine, LongDetailIsClipped) {
  audit::RecordFormatter formatter(sample_origin());
  std::string line;
  formatter.event(line, {sample_event(std::string(5000, 'x')), {}}, 1, "");
  EXPECT_THAT(line, HasSubstr(std::string(audit::kMaxDetailBytes, 'x') + "\""));
  EXPECT_THAT(line, Not(HasSubstr(std::string(audit::kMaxDetailBytes + 1, 'x'))));
}

TEST(AuditRecordFields, ScannerIsNotFooledByFieldNamesInsideStrings) {
  const auto fields = audit::parse_record_fields(
      R"({"seq":5,"op":"sign","detail":"\",\"prev\":\"evil","prev":"good","mac":"m"})");
  ASSERT_TRUE(fields.has_value()) << fields.error();
  EXPECT_EQ(fields->seq, 5u);
  EXPECT_EQ(fields->prev, "good");
}

TEST(AuditRecordFields, MalformedLinesAreRejected) {
  EXPECT_FALSE(audit::parse_record_fields("").has_value());
  EXPECT_FALSE(audit::parse_record_fields(R"({"seq":1,"prev":"a","prev":"b"})").has_value());
  EXPECT_FALSE(audit::parse_record_fields(R"({"seq":1} trailing)").has_value());
  EXPECT_FALSE(audit::parse_record_fields(R"({"seq":1,"x":{"nested":1}})").has_value());
  EXPECT_FALSE(audit::parse_record_fields(R"({"seq":-1})").has_value());
  EXPECT_FALSE(audit::parse_record_fields(R"({"seq":1,"op":"unterminated})").has_value());
}

}  // namespace
}  // namespace craton::hsm::testing
