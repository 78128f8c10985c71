// SPDX-License-Identifier: Apache-2.0
// The pool when the whole module or device goes away: a module that lost its state is
// re-initialised and logged in again, a device that keeps failing trips the circuit breaker
// (calls fail fast without reaching it) until a probe finds it back, and an operation deadline
// bounds every wait.
#include <atomic>
#include <thread>

#include "pkcs11/pool/session_pool.h"
#include "pool_fixture.h"
#include "support/fault_shim.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using std::chrono::milliseconds;

Result<void> draw_random(Lease& lease) {
  CK_BYTE random[16];
  return lease.call<Fn::GenerateRandom>(random, CK_ULONG{sizeof random});
}

struct Limits {
  std::size_t size = 2;
  BreakerOptions breaker{};
  milliseconds acquire_timeout{5000};
  milliseconds operation_timeout{0};
};

Result<std::unique_ptr<SessionPool>> make_pool_with(const std::shared_ptr<const Module>& module,
                                                    const Limits& limits, EventLog& events) {
  PoolOptions options;
  options.pool_size = limits.size;
  options.breaker = limits.breaker;
  options.acquire_timeout = limits.acquire_timeout;
  options.operation_timeout = limits.operation_timeout;
  options.user_pin.emplace(testing::kUserPin);
  options.on_event = events.handler();
  return SessionPool::create(module, testing::slot_of(*module), std::move(options));
}

// The real SoftHSM2 module, finalised underneath the pool (as when another component of the
// process calls C_Finalize, or a vendor client resets): every call answers
// CKR_CRYPTOKI_NOT_INITIALIZED until someone initialises it again.
TEST(PoolModuleLoss, AFinalisedModuleIsReinitialisedAndLoggedInAgain) {
  const auto module = testing::softhsm_module();
  ASSERT_NE(module, nullptr);
  EventLog events;
  auto pool = make_pool_with(module, {.size = 3}, events);
  ASSERT_THAT(pool, IsOk());
  ASSERT_EQ(module->invoke<Fn::Finalize>(static_cast<CK_VOID_PTR>(nullptr)), CKR_OK);

  EXPECT_THAT((*pool)->run(draw_random), IsOk());
  EXPECT_EQ((*pool)->counters().module_reinits, 1u);
  EXPECT_EQ(events.count(PoolEventKind::ModuleReinitialized), 1u);
  EXPECT_EQ(events.count(PoolEventKind::Retried), 1u);
  // Logged in again (a private object needs the login), on every session, without a second
  // re-initialisation: the others were opened before and are rebuilt, not reused.
  for (int i = 0; i < 6; ++i) EXPECT_THAT((*pool)->run(touch_private_object), IsOk());
  EXPECT_EQ((*pool)->counters().module_reinits, 1u);
  EXPECT_EQ((*pool)->counters().breaker, BreakerState::Closed);
}

TEST(PoolModuleLoss, ThreadsThatFindTheModuleLostReinitialiseItOnce) {
  const auto module = testing::softhsm_module();
  ASSERT_NE(module, nullptr);
  EventLog events;
  auto pool = make_pool_with(module, {.size = 4}, events);
  ASSERT_THAT(pool, IsOk());
  ASSERT_EQ(module->invoke<Fn::Finalize>(static_cast<CK_VOID_PTR>(nullptr)), CKR_OK);

  std::atomic<int> failures{0};
  std::vector<std::jthread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (!(*pool)->run(touch_private_object)) failures.fetch_add(1);
      }
    });
  }
  threads.clear();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ((*pool)->counters().module_reinits, 1u);
}

class PoolBreakerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto module = Module::acquire(FaultShim::module_options());
    ASSERT_THAT(module, IsOk());
    module_ = *module;
  }
  // The device answers CKR_DEVICE_REMOVED to every call and no session opens.
  void remove_device() const {
    shim_.fail("C_GenerateRandom", CKR_DEVICE_REMOVED, 1'000'000);
    shim_.fail("C_OpenSession", CKR_TOKEN_NOT_PRESENT, 1'000'000);
  }
  void reinsert_device() const {
    shim_.fail("C_GenerateRandom", CKR_OK, 0);
    shim_.fail("C_OpenSession", CKR_OK, 0);
  }
  // Runs until the breaker turns the failure into DeviceUnavailable (bounded).
  static void run_until_open(SessionPool& pool) {
    for (int i = 0; i < 20 && pool.counters().breaker != BreakerState::Open; ++i) {
      EXPECT_FALSE(pool.run(draw_random));
    }
    ASSERT_EQ(pool.counters().breaker, BreakerState::Open);
  }

  FaultShim shim_;
  std::shared_ptr<const Module> module_;
  EventLog events_;
};

TEST_F(PoolBreakerTest, ADeadDeviceTripsTheBreakerAndCallsStopReachingIt) {
  auto pool = make_pool_with(
      module_, {.size = 2, .breaker = {.threshold = 3, .cooldown = milliseconds(60'000)}}, events_);
  ASSERT_THAT(pool, IsOk());
  remove_device();
  run_until_open(**pool);
  EXPECT_EQ(events_.count(PoolEventKind::BreakerOpened), 1u);

  const std::uint64_t opens = module_->call_count(Fn::OpenSession);
  const std::uint64_t draws = module_->call_count(Fn::GenerateRandom);
  const std::uint64_t inits = module_->call_count(Fn::Initialize);
  for (int i = 0; i < 50; ++i) {
    EXPECT_THAT((*pool)->run(draw_random), HasErrorCode(ErrorCode::DeviceUnavailable));
  }
  EXPECT_EQ(module_->call_count(Fn::OpenSession), opens);
  EXPECT_EQ(module_->call_count(Fn::GenerateRandom), draws);
  EXPECT_EQ(module_->call_count(Fn::Initialize), inits);
  EXPECT_EQ((*pool)->counters().breaker_rejections, 50u);
}

TEST_F(PoolBreakerTest, AfterTheCooldownAProbeFindsTheDeviceBackAndClosesTheBreaker) {
  auto pool = make_pool_with(
      module_, {.size = 2, .breaker = {.threshold = 3, .cooldown = milliseconds(100)}}, events_);
  ASSERT_THAT(pool, IsOk());
  remove_device();
  run_until_open(**pool);

  // Still gone after the cool-down: the probe fails and the breaker opens again.
  std::this_thread::sleep_for(milliseconds(150));
  EXPECT_FALSE((*pool)->run(draw_random));
  EXPECT_EQ((*pool)->counters().breaker, BreakerState::Open);
  EXPECT_EQ(events_.count(PoolEventKind::BreakerOpened), 2u);
  EXPECT_EQ(events_.count(PoolEventKind::BreakerHalfOpen), 1u);

  reinsert_device();
  std::this_thread::sleep_for(milliseconds(150));
  EXPECT_THAT((*pool)->run(draw_random), IsOk());
  EXPECT_EQ((*pool)->counters().breaker, BreakerState::Closed);
  EXPECT_EQ(events_.count(PoolEventKind::BreakerClosed), 1u);
  // Logged in again on whatever sessions the outage left.
  for (int i = 0; i < 4; ++i) EXPECT_THAT((*pool)->run(touch_private_object), IsOk());
}

TEST_F(PoolBreakerTest, RequestErrorsAreAnswersAndNeverTripTheBreaker) {
  auto pool = make_pool_with(
      module_, {.size = 1, .breaker = {.threshold = 2, .cooldown = milliseconds(60'000)}}, events_);
  ASSERT_THAT(pool, IsOk());
  shim_.fail("C_GenerateRandom", CKR_DEVICE_ERROR, 1);
  EXPECT_THAT((*pool)->run(draw_random), IsOk());  // one failure, then an answer
  for (int i = 0; i < 10; ++i) {
    shim_.fail("C_GenerateRandom", CKR_ARGUMENTS_BAD, 1);
    EXPECT_THAT((*pool)->run(draw_random), HasErrorCode(ErrorCode::InvalidArgument));
  }
  shim_.fail("C_GenerateRandom", CKR_DEVICE_ERROR, 1);
  EXPECT_THAT((*pool)->run(draw_random), IsOk());
  EXPECT_EQ((*pool)->counters().breaker, BreakerState::Closed);
  EXPECT_EQ(events_.count(PoolEventKind::BreakerOpened), 0u);
}

// Whether `condition` held within `timeout` (polled every millisecond).
template <typename Condition>
bool within(milliseconds timeout, Condition condition) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

// C_Finalize while another thread calls the module is undefined (v2.40 §5.4; SoftHSM2
// segfaulted). A recovery that had drained the pool once let leases taken afterwards call in
// during its C_Finalize. Here C_Finalize takes 300 ms (a slow client tearing down its link), and
// leases taken meanwhile must wait, then run on the re-initialised module: no call reaches the
// shim between C_Finalize and C_Initialize, nothing fails, and the module is re-initialised once.
TEST_F(PoolBreakerTest, ALeaseTakenDuringModuleRecoveryWaitsInsteadOfCallingIn) {
  auto pool = make_pool_with(module_, {.size = 4}, events_);
  ASSERT_THAT(pool, IsOk());
  // The next draw fails as if the device were lost, and so does the session opened to retry
  // it: the pool re-initialises the module.
  shim_.fail("C_GenerateRandom", CKR_DEVICE_ERROR, 1);
  shim_.fail("C_OpenSession", CKR_DEVICE_ERROR, 1);
  shim_.add("C_Finalize:sleep=300:nth=1");
  const unsigned long finalizes = shim_.calls("C_Finalize");
  const unsigned long initializes = shim_.calls("C_Initialize");

  std::atomic<int> failures{0};
  std::jthread recoverer([&] {
    if (!(*pool)->run(draw_random)) failures.fetch_add(1);
  });
  ASSERT_TRUE(within(milliseconds(5000), [&] { return shim_.calls("C_Finalize") > finalizes; }));
  const unsigned long calls_in_finalize = shim_.stats().calls;  // counted as C_Finalize began
  std::vector<std::jthread> late;
  for (int t = 0; t < 3; ++t) {
    late.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        if (!(*pool)->run(touch_private_object)) failures.fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(milliseconds(150));  // C_Finalize still sleeps
  EXPECT_EQ(shim_.calls("C_Initialize"), initializes);
  EXPECT_EQ(shim_.stats().calls, calls_in_finalize)
      << "a lease called into the module while it was being finalised";
  late.clear();
  recoverer.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(shim_.calls("C_Finalize"), finalizes + 1);
  EXPECT_EQ(shim_.calls("C_Initialize"), initializes + 1);
  EXPECT_EQ((*pool)->counters().module_reinits, 1u);
  EXPECT_LE(shim_.stats().live_sessions, (*pool)->size()) << "a session leaked";
}

TEST(PoolDeadline, AnOperationDeadlineEndsTheWaitLongBeforeTheAcquireTimeout) {
  const auto module = testing::softhsm_module();
  ASSERT_NE(module, nullptr);
  EventLog events;
  auto pool = make_pool_with(
      module,
      {.size = 1, .acquire_timeout = milliseconds(60'000), .operation_timeout = milliseconds(100)},
      events);
  ASSERT_THAT(pool, IsOk());
  auto held = (*pool)->acquire();
  ASSERT_THAT(held, IsOk());
  const auto start = std::chrono::steady_clock::now();
  const auto result = (*pool)->run(draw_random);
  EXPECT_THAT(result, HasErrorCode(ErrorCode::PoolTimeout));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(30'000));
  if (!result) {
    EXPECT_NE(result.error().message().find("deadline"), std::string::npos);
  }
}

}  // namespace
}  // namespace craton::hsm::pkcs11
