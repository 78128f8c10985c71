// SPDX-License-Identifier: Apache-2.0
// SessionPool: sizing, exclusive leases, bounded waiting under contention.
#include "pkcs11/pool/session_pool.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <thread>

#include "pool_fixture.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::softhsm_module;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(SessionPoolTest, OpensExactlyPoolSizeSessionsAndClosesThemAll) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  const auto opens_before = module->call_count(Fn::OpenSession);
  const auto closes_before = module->call_count(Fn::CloseSession);
  std::vector<CK_SESSION_HANDLE> handles;
  {
    auto pool = make_pool(module, {.size = 5});
    ASSERT_THAT(pool, IsOk());
    EXPECT_EQ((*pool)->size(), 5u);
    EXPECT_EQ(module->call_count(Fn::OpenSession), opens_before + 5);
    EXPECT_EQ((*pool)->counters().sessions_opened, 5u);
    // The token's own count, where it keeps one (SoftHSM2 answers "unavailable").
    auto token = describe_token(*module, (*pool)->slot());
    ASSERT_THAT(token, IsOk());
    if (token->session_count) {
      EXPECT_EQ(*token->session_count, 5u);
    }
    // Take every lease at once: five distinct live handles.
    std::vector<Lease> leases;
    for (int i = 0; i < 5; ++i) {
      auto lease = (*pool)->acquire();
      ASSERT_THAT(lease, IsOk());
      handles.push_back(lease->session().handle());
      leases.push_back(std::move(*lease));
    }
    std::sort(handles.begin(), handles.end());
    EXPECT_EQ(std::unique(handles.begin(), handles.end()), handles.end());
  }
  EXPECT_EQ(module->call_count(Fn::CloseSession), closes_before + 5);
  for (const CK_SESSION_HANDLE handle : handles) {
    CK_SESSION_INFO info{};
    EXPECT_EQ(module->invoke<Fn::GetSessionInfo>(handle, &info), CKR_SESSION_HANDLE_INVALID);
  }
}

TEST(SessionPoolTest, LogsInOnceForTheWholePool) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  const auto logins_before = module->call_count(Fn::Login);
  EventLog events;
  auto pool = make_pool(module, {.size = 4}, &events);
  ASSERT_THAT(pool, IsOk());
  EXPECT_EQ(module->call_count(Fn::Login), logins_before + 1);
  EXPECT_EQ(events.count(PoolEventKind::LoggedIn), 1u);
  std::vector<Lease> leases;
  for (int i = 0; i < 4; ++i) {
    auto lease = (*pool)->acquire();
    ASSERT_THAT(lease, IsOk());
    EXPECT_EQ(session_state(*lease), CKS_RW_USER_FUNCTIONS);
    EXPECT_THAT(touch_private_object(*lease), IsOk());
    leases.push_back(std::move(*lease));
  }
  EXPECT_EQ(module->call_count(Fn::Logout), 0u) << "pooled sessions never log out";
}

TEST(SessionPoolTest, WithoutAPinNothingLogsIn) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  const auto logins_before = module->call_count(Fn::Login);
  auto pool = make_pool(module, {.size = 2, .pin = std::nullopt});
  ASSERT_THAT(pool, IsOk());
  auto lease = (*pool)->acquire();
  ASSERT_THAT(lease, IsOk());
  EXPECT_EQ(module->call_count(Fn::Login), logins_before);
  EXPECT_EQ(session_state(*lease), CKS_RW_PUBLIC_SESSION);
  EXPECT_THAT(touch_private_object(*lease), HasErrorCode(ErrorCode::NotLoggedIn));
}

TEST(SessionPoolTest, AcquireTimesOutWhenEverySessionStaysBusy) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  auto pool = make_pool(module, {.size = 2, .timeout = milliseconds(150)});
  ASSERT_THAT(pool, IsOk());
  auto first = (*pool)->acquire();
  auto second = (*pool)->acquire();
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());

  const auto start = steady_clock::now();
  auto third = (*pool)->acquire();
  const auto waited = steady_clock::now() - start;
  EXPECT_THAT(third, HasErrorCode(ErrorCode::PoolTimeout));
  EXPECT_TRUE(third.error().is_transient());
  EXPECT_GE(waited, milliseconds(150));
  EXPECT_LT(waited, milliseconds(150) + std::chrono::seconds(2));
  EXPECT_EQ((*pool)->counters().acquire_timeouts, 1u);
  EXPECT_EQ((*pool)->counters().acquire_waits, 1u);
}

TEST(SessionPoolTest, ReleasingALeaseWakesAWaiter) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  auto pool = make_pool(module, {.size = 1, .timeout = std::chrono::seconds(10)});
  ASSERT_THAT(pool, IsOk());
  std::optional<Lease> held;
  held.emplace(std::move((*pool)->acquire()).value());

  std::atomic<bool> acquired{false};
  steady_clock::duration waited{};
  std::jthread waiter([&] {
    const auto start = steady_clock::now();
    auto lease = (*pool)->acquire();
    waited = steady_clock::now() - start;
    acquired = lease.has_value();
  });
  std::this_thread::sleep_for(milliseconds(100));
  held.reset();
  waiter.join();
  EXPECT_TRUE(acquired);
  EXPECT_LT(waited, std::chrono::seconds(5)) << "the waiter slept past the release";
}

// The key cache lives per session: threads that share a session evict and re-import each
// other's keys. Threads new to the pool start on distinct sessions and stay there.
TEST(SessionPoolTest, ThreadsUpToPoolSizeEachKeepASessionOfTheirOwn) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  constexpr std::size_t kSessions = 4;
  auto pool = make_pool(module, {.size = kSessions});
  ASSERT_THAT(pool, IsOk());
  for (int round = 0; round < 3; ++round) {  // new threads each round, as a benchmark makes
    std::array<std::vector<std::size_t>, kSessions> seen;
    {
      std::vector<std::jthread> threads;
      for (std::size_t t = 0; t < kSessions; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < 50; ++i) {
            auto lease = (*pool)->acquire();
            ASSERT_THAT(lease, IsOk());
            seen[t].push_back(lease->index());
          }
        });
      }
    }
    std::vector<std::size_t> firsts;
    for (const auto& indices : seen) {
      ASSERT_FALSE(indices.empty());
      for (const std::size_t index : indices) EXPECT_EQ(index, indices.front()) << "moved session";
      firsts.push_back(indices.front());
    }
    std::sort(firsts.begin(), firsts.end());
    EXPECT_EQ(std::unique(firsts.begin(), firsts.end()), firsts.end()) << "two threads shared";
  }
}

TEST(SessionPoolTest, SixteenThreadsOnTwoSessionsNeverShareOrDeadlock) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  constexpr auto kTimeout = milliseconds(50);
  auto pool = make_pool(module, {.size = 2, .timeout = kTimeout});
  ASSERT_THAT(pool, IsOk());

  std::array<std::atomic<bool>, 2> in_use{};
  std::atomic<int> successes{0};
  std::atomic<int> timeouts{0};
  std::atomic<int> violations{0};
  const auto stop_at = steady_clock::now() + std::chrono::milliseconds(1500);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&, t] {
        while (steady_clock::now() < stop_at) {
          const auto start = steady_clock::now();
          auto lease = (*pool)->acquire();
          if (!lease) {
            const bool typed = lease.error().code() == ErrorCode::PoolTimeout;
            const bool on_time = steady_clock::now() - start >= kTimeout;
            if (!typed || !on_time) ++violations;
            ++timeouts;
            continue;
          }
          if (in_use[lease->index()].exchange(true)) ++violations;  // two holders at once
          CK_BYTE random[8];
          if (!lease->call<Fn::GenerateRandom>(random, CK_ULONG{sizeof random})) ++violations;
          std::this_thread::sleep_for(std::chrono::microseconds(200 * (t % 4)));
          in_use[lease->index()] = false;
          ++successes;
        }
      });
    }
  }
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(successes.load(), 100);
  EXPECT_EQ((*pool)->counters().acquire_timeouts, static_cast<std::uint64_t>(timeouts.load()));
  // Afterwards both sessions are free again.
  auto a = (*pool)->acquire();
  auto b = (*pool)->acquire();
  EXPECT_THAT(a, IsOk());
  EXPECT_THAT(b, IsOk());
}

}  // namespace
}  // namespace craton::hsm::pkcs11
