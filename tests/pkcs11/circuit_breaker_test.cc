// SPDX-License-Identifier: Apache-2.0
// The circuit breaker's states on a clock the test moves by hand.
#include "pkcs11/pool/circuit_breaker.h"

#include <gtest/gtest.h>

namespace craton::hsm::pkcs11 {
namespace {

using Admission = CircuitBreaker::Admission;
using std::chrono::milliseconds;

class CircuitBreakerTest : public ::testing::Test {
 protected:
  CircuitBreaker breaker_{{.threshold = 3, .cooldown = milliseconds(1000)}};
  CircuitBreaker::Clock::time_point now_ = CircuitBreaker::Clock::now();

  void fail_times(int n) {
    for (int i = 0; i < n; ++i) breaker_.on_module_failure(now_);
  }
};

TEST_F(CircuitBreakerTest, OpensAfterThresholdFailuresInARowAndRejectsUntilTheCooldownEnds) {
  breaker_.on_module_failure(now_);
  EXPECT_FALSE(breaker_.on_module_failure(now_));
  EXPECT_EQ(breaker_.on_module_failure(now_), PoolEventKind::BreakerOpened);
  EXPECT_EQ(breaker_.state(), BreakerState::Open);

  const auto rejected = breaker_.admit(now_ + milliseconds(400));
  EXPECT_EQ(rejected.admission, Admission::Rejected);
  EXPECT_EQ(rejected.retry_after, milliseconds(600));
  // A further failure while open neither reopens nor extends anything.
  EXPECT_FALSE(breaker_.on_module_failure(now_ + milliseconds(500)));
}

TEST_F(CircuitBreakerTest, AnAnswerBetweenFailuresResetsTheCount) {
  fail_times(2);
  EXPECT_FALSE(breaker_.on_answer());
  fail_times(2);
  EXPECT_EQ(breaker_.state(), BreakerState::Closed);
  EXPECT_EQ(breaker_.admit(now_).admission, Admission::Allowed);
}

TEST_F(CircuitBreakerTest, AfterTheCooldownExactlyOneProbeGoesThroughAndItsSuccessCloses) {
  fail_times(3);
  const auto later = now_ + milliseconds(1000);
  const auto first = breaker_.admit(later);
  EXPECT_EQ(first.admission, Admission::Probe);
  EXPECT_EQ(first.transition, PoolEventKind::BreakerHalfOpen);
  EXPECT_EQ(breaker_.state(), BreakerState::HalfOpen);
  // Others fail fast while the probe is out.
  EXPECT_EQ(breaker_.admit(later).admission, Admission::Rejected);
  EXPECT_EQ(breaker_.on_answer(), PoolEventKind::BreakerClosed);
  EXPECT_EQ(breaker_.state(), BreakerState::Closed);
  EXPECT_EQ(breaker_.admit(later).admission, Admission::Allowed);
}

TEST_F(CircuitBreakerTest, AFailedProbeReopensForAnotherFullCooldown) {
  fail_times(3);
  const auto later = now_ + milliseconds(1000);
  ASSERT_EQ(breaker_.admit(later).admission, Admission::Probe);
  EXPECT_EQ(breaker_.on_module_failure(later), PoolEventKind::BreakerOpened);
  EXPECT_EQ(breaker_.admit(later + milliseconds(999)).admission, Admission::Rejected);
  EXPECT_EQ(breaker_.admit(later + milliseconds(1000)).admission, Admission::Probe);
}

TEST_F(CircuitBreakerTest, AnAbandonedProbeLetsTheNextCallerProbe) {
  fail_times(3);
  const auto later = now_ + milliseconds(1000);
  ASSERT_EQ(breaker_.admit(later).admission, Admission::Probe);
  breaker_.abandon_probe();
  const auto next = breaker_.admit(later);
  EXPECT_EQ(next.admission, Admission::Probe);
  EXPECT_FALSE(next.transition);  // still half-open: no second transition
}

TEST(CircuitBreakerDisabled, AThresholdOfZeroNeverOpens) {
  CircuitBreaker breaker({.threshold = 0, .cooldown = milliseconds(1000)});
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(breaker.on_module_failure());
  EXPECT_EQ(breaker.admit().admission, Admission::Allowed);
}

TEST(ModuleLevelErrors, AreTheOnesThatSayTheDeviceOrModuleIsGone) {
  for (const ErrorCode code : {ErrorCode::DeviceError, ErrorCode::DeviceRemoved,
                               ErrorCode::TokenNotPresent, ErrorCode::CryptokiNotInitialized}) {
    EXPECT_TRUE(is_module_level(code)) << code;
  }
  for (const ErrorCode code : {ErrorCode::SessionInvalid, ErrorCode::NotLoggedIn,
                               ErrorCode::DataInvalid, ErrorCode::PinIncorrect}) {
    EXPECT_FALSE(is_module_level(code)) << code;
  }
}

}  // namespace
}  // namespace craton::hsm::pkcs11
