// SPDX-License-Identifier: Apache-2.0
// Secrets stay out of the trail: the chain key never appears in any encoding, and detail
// strings cannot break out of their field or the line.
#include "audit_test_util.h"

#include "audit/tail_anchor.h"
#include "core/hex.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(AuditSecrets, KeyFileBytesNeverAppearInTheTrailOrAnchor) {
  AuditDir dir;
  const std::string key = write_key_file(dir / "k48", 48);
  auto config = dir.config();
  config.key_file = dir / "k48";
  {
    auto log = AuditLog::open(config, key_file_mac(dir / "k48"), sample_origin());
    ASSERT_THAT(log, IsOk());
    for (int i = 0; i < 50; ++i)
      ASSERT_THAT((*log)->record(sample_event("op" + std::to_string(i))), IsOk());
  }
  const std::string stored = read_file(dir.trail()) + read_file(audit::anchor_path(dir.trail()));
  ASSERT_THAT(stored, HasSubstr("\"op\":\"sign\""));
  // Any 12-byte window of the key, in each encoding; base64 at all three alignments.
  for (std::size_t at = 0; at + 12 <= key.size(); ++at) {
    const auto window = std::string_view(key).substr(at, 12);
    EXPECT_EQ(stored.find(window), std::string::npos) << "raw key bytes at " << at;
    EXPECT_THAT(stored, Not(HasSubstr(to_hex(window, HexCase::Lower))));
    EXPECT_THAT(stored, Not(HasSubstr(to_hex(window, HexCase::Upper))));
  }
  for (std::size_t shift = 0; shift < 3; ++shift) {
    const auto encoded = base64(
        ByteView(reinterpret_cast<const std::uint8_t*>(key.data()) + shift, key.size() - shift));
    EXPECT_THAT(stored, Not(HasSubstr(encoded.substr(4, 16))));
  }
}

TEST(AuditSecrets, DetailCannotBreakOutOfItsFieldOrLine) {
  AuditDir dir;
  const std::string hostile = "x\",\"outcome\":\"ok\"}\n{\"ts\":\"forged\x1b[2J";
  {
    auto log = dir.open(dir.config());
    ASSERT_THAT(log->record(sample_event(hostile)), IsOk());
  }
  const auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 2u);  // genesis + the one record: the newline did not split it
  EXPECT_THAT(lines[1],
              HasSubstr(R"("detail":"x\",\"outcome\":\"ok\"}\n{\"ts\":\"forged\u001b[2J")"));
  EXPECT_TRUE(dir.verify().intact);
}

}  // namespace
}  // namespace craton::hsm::testing
