// SPDX-License-Identifier: Apache-2.0
// The counters tests assert "no leaked session, no leaked object" with: calls per function,
// live sessions and objects (through closes, session ends and restarts), the stats file.
#include <cstdlib>

#include "shim_fixture.h"
#include "support/text.h"

namespace craton::hsm::testing {
namespace {

using pkcs11::Fn;

class CountersTest : public ShimTest {
 protected:
  unsigned long live_sessions() const { return shim_.stats().live_sessions; }
  unsigned long live_objects() const { return shim_.stats().live_objects; }
};

TEST_F(CountersTest, CallsAreCountedPerFunction) {
  const CK_SESSION_HANDLE session = open(false);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(random(session), CKR_OK);
  EXPECT_EQ(shim_.calls("C_GenerateRandom"), 3u);
  EXPECT_EQ(shim_.calls("C_OpenSession"), 1u);
  EXPECT_EQ(shim_.calls("C_NoSuchFunction"), 0u);
  EXPECT_GE(shim_.stats().calls, 4u);
}

TEST_F(CountersTest, AClosedSessionIsNoLeakAndALeakedOneShows) {
  const unsigned long before = live_sessions();
  ASSERT_EQ(call<Fn::CloseSession>(open(false)), CKR_OK);
  EXPECT_EQ(live_sessions(), before);
  const CK_SESSION_HANDLE leaked = open(false);
  EXPECT_EQ(live_sessions(), before + 1);
  EXPECT_EQ(shim_.stats().sessions_opened, 2u);
  ASSERT_EQ(call<Fn::CloseSession>(leaked), CKR_OK);
  EXPECT_EQ(live_sessions(), before);
}

TEST_F(CountersTest, ARestartEndsEverySessionItOpened) {
  const unsigned long before = live_sessions();
  open(false);
  open(false);
  EXPECT_EQ(live_sessions(), before + 2);
  shim_.restart();
  EXPECT_EQ(live_sessions(), 0u);
}

TEST_F(CountersTest, SessionObjectsDieWithTheirSession) {
  const unsigned long before = live_objects();
  const CK_SESSION_HANDLE keeper = open();
  const CK_SESSION_HANDLE session = open();
  aes_key(session, false, label("a"));
  aes_key(session, false, label("b"));
  const CK_OBJECT_HANDLE kept = aes_key(keeper, false, label("c"));
  EXPECT_EQ(live_objects(), before + 3);
  ASSERT_EQ(call<Fn::CloseSession>(session), CKR_OK);
  EXPECT_EQ(live_objects(), before + 1);
  ASSERT_EQ(call<Fn::DestroyObject>(keeper, kept), CKR_OK);
  EXPECT_EQ(live_objects(), before);
  EXPECT_EQ(shim_.stats().objects_created, 3u);
}

TEST_F(CountersTest, TokenObjectsStayCountedThroughARestartUntilDestroyed) {
  const unsigned long before = live_objects();
  const CK_SESSION_HANDLE session = open();
  aes_key(session, true, label("token"));
  aes_key(session, false, label("session"));
  EXPECT_EQ(live_objects(), before + 2);
  shim_.restart();
  EXPECT_EQ(live_objects(), before + 1) << "the token object is still on the token";
  const CK_SESSION_HANDLE fresh = open();
  const auto found = find(fresh, label("token"));
  ASSERT_EQ(found.size(), 1u);
  ASSERT_EQ(call<Fn::DestroyObject>(fresh, found[0]), CKR_OK);
  EXPECT_EQ(live_objects(), before);
}

TEST_F(CountersTest, AKeyPairIsTwoObjects) {
  const unsigned long before = live_objects();
  const CK_SESSION_HANDLE session = open();
  CK_MECHANISM mechanism{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  // DER OID of P-256 (1.2.840.10045.3.1.7).
  CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  CK_ATTRIBUTE public_template[] = {{CKA_EC_PARAMS, p256, sizeof p256}};
  CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
  ASSERT_EQ(call<Fn::GenerateKeyPair>(session, &mechanism, public_template, CK_ULONG{1}, nullptr,
                                      CK_ULONG{0}, &public_key, &private_key),
            CKR_OK);
  EXPECT_NE(public_key, private_key);
  EXPECT_EQ(live_objects(), before + 2);
  ASSERT_EQ(call<Fn::CloseSession>(session), CKR_OK);
  EXPECT_EQ(live_objects(), before);
}

TEST_F(CountersTest, TheStatsFileHoldsTheCounters) {
  const TempDir dir;
  const auto path = dir.path() / "stats";
  ASSERT_EQ(setenv("CRATON_FAULT_STATS", path.c_str(), 1), 0);
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("C_GenerateRandom:CKR_DEVICE_ERROR:nth=1");
  EXPECT_EQ(random(session), CKR_DEVICE_ERROR);
  EXPECT_TRUE(shim_.write_stats());
  unsetenv("CRATON_FAULT_STATS");
  const std::string stats = read_file(path);
  EXPECT_THAT(stats, ::testing::HasSubstr("\nfaults_injected 1\n"));
  EXPECT_THAT(stats, ::testing::HasSubstr("\ncalls C_GenerateRandom 1\n"));
  EXPECT_THAT(stats, ::testing::HasSubstr("\nlive_sessions "));
  EXPECT_FALSE(shim_.write_stats()) << "no file without CRATON_FAULT_STATS";
}

}  // namespace
}  // namespace craton::hsm::testing
