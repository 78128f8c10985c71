// SPDX-License-Identifier: Apache-2.0
// Chosen failures: the Nth call, every call after N, each call with a seeded probability, any
// function; scripted failures as before; malformed specs refused whole.
#include <vector>

#include "shim_fixture.h"

namespace craton::hsm::testing {
namespace {

using pkcs11::Fn;

std::vector<CK_RV> draws(const ShimTest& test, CK_SESSION_HANDLE session, int n,
                         CK_RV (ShimTest::*random)(CK_SESSION_HANDLE) const) {
  std::vector<CK_RV> outcomes;
  for (int i = 0; i < n; ++i) outcomes.push_back((test.*random)(session));
  return outcomes;
}

class FaultPlanTest : public ShimTest {
 protected:
  std::vector<CK_RV> next(CK_SESSION_HANDLE session, int n) {
    return draws(*this, session, n, &FaultPlanTest::random);
  }
};

TEST_F(FaultPlanTest, TheNthCallFailsAndOnlyIt) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("C_GenerateRandom:CKR_DEVICE_ERROR:nth=3");
  EXPECT_THAT(next(session, 5),
              ::testing::ElementsAre(CKR_OK, CKR_OK, CKR_DEVICE_ERROR, CKR_OK, CKR_OK));
  EXPECT_EQ(shim_.stats().faults_injected, 1u);
}

TEST_F(FaultPlanTest, EveryCallAfterTheNthFails) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("C_GenerateRandom:0x30:after=2");
  EXPECT_THAT(next(session, 5), ::testing::ElementsAre(CKR_OK, CKR_OK, CKR_DEVICE_ERROR,
                                                       CKR_DEVICE_ERROR, CKR_DEVICE_ERROR));
}

TEST_F(FaultPlanTest, TheFirstNCallsFailAndTriggersCombine) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("C_GenerateRandom:CKR_DEVICE_MEMORY:after=1:first=3");
  EXPECT_THAT(next(session, 4),
              ::testing::ElementsAre(CKR_OK, CKR_DEVICE_MEMORY, CKR_DEVICE_MEMORY, CKR_OK));
}

TEST_F(FaultPlanTest, AStarRuleCountsEveryFunction) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("*:CKR_FUNCTION_FAILED:nth=2");
  CK_SESSION_INFO info{};
  EXPECT_EQ(call<Fn::GetSessionInfo>(session, &info), CKR_OK);
  EXPECT_EQ(random(session), CKR_FUNCTION_FAILED);
  EXPECT_EQ(random(session), CKR_OK);
}

TEST_F(FaultPlanTest, TheSameSeedGivesTheSameFaultSequence) {
  const CK_SESSION_HANDLE session = open(false);
  const auto run = [&](const char* spec) {
    shim_.reset();
    shim_.add(spec);
    return next(session, 200);
  };
  const auto first = run("seed=7;C_GenerateRandom:CKR_DEVICE_ERROR:p=0.3");
  const auto again = run("seed=7;C_GenerateRandom:CKR_DEVICE_ERROR:p=0.3");
  const auto other = run("seed=8;C_GenerateRandom:CKR_DEVICE_ERROR:p=0.3");
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
  const auto failures = std::count(first.begin(), first.end(), CKR_DEVICE_ERROR);
  EXPECT_GT(failures, 30);  // 60 expected; the bounds are far out (binomial sd ~6.5)
  EXPECT_LT(failures, 90);
}

TEST_F(FaultPlanTest, ScriptedFailuresKeepTheirMeaning) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.fail("C_GenerateRandom", CKR_DEVICE_ERROR, 2, /*skip=*/1);
  EXPECT_THAT(next(session, 4),
              ::testing::ElementsAre(CKR_OK, CKR_DEVICE_ERROR, CKR_DEVICE_ERROR, CKR_OK));
  shim_.fail("C_GenerateRandom", CKR_DEVICE_ERROR, 1000);
  shim_.fail("C_GenerateRandom", CKR_OK, 0);  // a count of 0 withdraws it
  EXPECT_EQ(random(session), CKR_OK);
}

TEST_F(FaultPlanTest, FailAfterCallLetsTheCallReachTheModule) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("fail_after_call=1;C_CloseSession:CKR_DEVICE_ERROR:nth=1");
  EXPECT_EQ(call<Fn::CloseSession>(session), CKR_DEVICE_ERROR);
  EXPECT_EQ(random(session), CKR_SESSION_HANDLE_INVALID) << "the session was closed all the same";
}

TEST_F(FaultPlanTest, AMalformedSpecIsRefusedWholeAndNamesTheItem) {
  const CK_SESSION_HANDLE session = open(false);
  for (const char* bad : {"C_Sgn:0x30", "C_Sign:CKR_NO_SUCH_CODE", "C_Sign:0x30:nth=0",
                          "C_Sign:0x30:p=1.5", "C_Sign:sleep=40000", "bogus_switch=1",
                          "C_Sign=0x30:x", "C_Sign:0x30:someday", "C_Sign:CKR_OK", "C_Sign"}) {
    EXPECT_THAT(shim_.try_add(bad), ::testing::HasSubstr(std::string("'") + bad + "'")) << bad;
  }
  // The good item before the bad one is not armed either.
  EXPECT_THAT(shim_.try_add("C_GenerateRandom:0x30;C_Bad:0x30"), ::testing::HasSubstr("C_Bad"));
  EXPECT_EQ(random(session), CKR_OK);
  EXPECT_THROW(shim_.add("C_Sign:CKR_DEVICE_EROR"), std::invalid_argument);
}

TEST_F(FaultPlanTest, ASpecTakesCommentsNewLinesAndTheOldForm) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("# the HSM runs out of memory once\n C_GenerateRandom = 0x31 : 1 \n\n;");
  EXPECT_THAT(next(session, 2), ::testing::ElementsAre(CKR_DEVICE_MEMORY, CKR_OK));
}

}  // namespace
}  // namespace craton::hsm::testing
