// SPDX-License-Identifier: Apache-2.0
// Pkcs11Backend::stats(), health() and the reliability event handler, on the real token and
// through the fault shim: counts and latencies after real operations, errors by code after a
// forced failure, key cache and GCM budget figures, the rate-limited health probe, events to
// both the audit mapping and the public handler, and stats() read while 4 threads work.
#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/stats.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::IsOk;
using ::testing::HasSubstr;

constexpr unsigned long kDeviceRemoved = 0x32;   // CKR_DEVICE_REMOVED
constexpr unsigned long kDeviceMemory = 0x31;    // CKR_DEVICE_MEMORY
constexpr unsigned long kSessionInvalid = 0xB3;  // CKR_SESSION_HANDLE_INVALID

std::vector<std::uint8_t> fresh_bytes(std::size_t size) {
  std::random_device device;
  std::vector<std::uint8_t> bytes(size);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(device());
  return bytes;
}

Key fresh_aes_key() {
  return *Key::aes(fresh_bytes(32));
}
Key fresh_hmac_key() {
  return *Key::hmac(fresh_bytes(32));
}

// Through the shim and the public factory (so the operations are metered), without a PIN
// unless asked: the probe then is the only C_GetSessionInfo caller.
std::unique_ptr<Pkcs11Backend> make_backend(std::size_t pool_size, bool with_pin = false,
                                            std::uint64_t gcm_limit = 0) {
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.pool_size = pool_size;
  if (!with_pin) config.user_pin.reset();
  if (gcm_limit != 0) config.gcm_max_messages_per_key = gcm_limit;
  auto backend = make_pkcs11_backend(std::move(config));
  EXPECT_THAT(backend, IsOk());
  return backend ? std::move(*backend) : nullptr;
}

class BackendStatsTest : public ::testing::Test {
 protected:
  FaultShim shim_;
};

TEST_F(BackendStatsTest, CountsLatenciesAndCacheAfterRealOperations) {
  const auto backend = make_backend(1);
  ASSERT_NE(backend, nullptr);
  const Key key = fresh_hmac_key();
  constexpr int kCalls = 20;
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_THAT(backend->hmac(key, HashAlg::Sha256, fresh_bytes(64)), IsOk());
  }
  const BackendStats stats = backend->stats();
  ASSERT_TRUE(stats.operations.contains("hmac"));
  const OperationStats& hmac = stats.operations.at("hmac");
  EXPECT_EQ(hmac.count, kCalls);
  EXPECT_EQ(hmac.errors, 0U);
  EXPECT_TRUE(hmac.errors_by_code.empty());
  EXPECT_GT(hmac.p50_us, 0.0);
  EXPECT_LE(hmac.p50_us, hmac.p90_us);
  EXPECT_LE(hmac.p90_us, hmac.p99_us);
  EXPECT_LE(hmac.p99_us, hmac.max_us);
  EXPECT_LT(hmac.max_us, 10e6);  // microseconds: an HMAC on SoftHSM takes far less than 10 s
  // One session: the key is imported once, then found in the session's cache.
  EXPECT_EQ(stats.key_cache_misses, 1U);
  EXPECT_EQ(stats.key_cache_hits, kCalls - 1U);
  EXPECT_EQ(stats.key_cache_evictions, 0U);
  EXPECT_EQ(stats.pool_size, 1U);
  EXPECT_EQ(stats.sessions_open, 1U);
  EXPECT_EQ(stats.breaker, BreakerStatus::Closed);
  EXPECT_FALSE(stats.operations.contains("sign"));  // only operations that were called
}

TEST_F(BackendStatsTest, EvictionsAreCountedWhenTheCacheIsFull) {
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.pool_size = 1;
  config.cache_capacity = 1;
  auto backend = make_pkcs11_backend(std::move(config));
  ASSERT_THAT(backend, IsOk());
  const Key first = fresh_hmac_key();
  const Key second = fresh_hmac_key();
  ASSERT_THAT((*backend)->hmac(first, HashAlg::Sha256, fresh_bytes(8)), IsOk());
  ASSERT_THAT((*backend)->hmac(second, HashAlg::Sha256, fresh_bytes(8)), IsOk());
  ASSERT_THAT((*backend)->hmac(first, HashAlg::Sha256, fresh_bytes(8)), IsOk());
  const BackendStats stats = (*backend)->stats();
  EXPECT_EQ(stats.key_cache_misses, 3U);
  EXPECT_EQ(stats.key_cache_evictions, 2U);
}

TEST_F(BackendStatsTest, ErrorsAreCountedByCodeAfterAForcedFailure) {
  const auto backend = make_backend(1);
  ASSERT_NE(backend, nullptr);
  shim_.fail("C_GenerateRandom", kDeviceMemory, 1);
  EXPECT_FALSE(backend->random(16));
  ASSERT_THAT(backend->random(16), IsOk());  // the second call after the failure works
  const OperationStats random = backend->stats().operations.at("random");
  EXPECT_EQ(random.count, 2U);
  EXPECT_EQ(random.errors, 1U);
  EXPECT_EQ(random.errors_by_code, (std::map<std::string, std::uint64_t>{{"DeviceMemory", 1}}));
}

TEST_F(BackendStatsTest, GcmBudgetIsReportedAsAFractionPerKey) {
  const auto backend = make_backend(2, false, 10);
  ASSERT_NE(backend, nullptr);
  const Key key = fresh_aes_key();
  for (int i = 0; i < 4; ++i)
    ASSERT_THAT(backend->aes_gcm_encrypt(key, fresh_bytes(32), {}), IsOk());
  const BackendStats stats = backend->stats();
  EXPECT_EQ(stats.gcm_max_messages_per_key, 10U);
  ASSERT_EQ(stats.gcm_budget_used.size(), 1U);
  const auto& [name, used] = *stats.gcm_budget_used.begin();
  EXPECT_DOUBLE_EQ(used, 0.4);
  EXPECT_EQ(name.size(), 16U);  // the fingerprint's short hex: never key bytes
  EXPECT_EQ(name.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(stats.operations.at("aes_gcm_encrypt").count, 4U);
}

TEST_F(BackendStatsTest, HealthIsReadyOnAWorkingToken) {
  const auto backend = make_backend(2);
  ASSERT_NE(backend, nullptr);
  const Health health = backend->health();
  EXPECT_EQ(health.state, HealthState::Ready) << health.reason;
  EXPECT_TRUE(health.reason.empty());
}

TEST_F(BackendStatsTest, HealthProbesAtMostOncePerSecond) {
  const auto backend = make_backend(2);
  ASSERT_NE(backend, nullptr);
  // The first probe passes; every later C_GetSessionInfo fails. A second probe within the
  // second would therefore answer "down".
  shim_.fail("C_GetSessionInfo", kDeviceRemoved, 1000, 1);
  for (int i = 0; i < 200; ++i) {
    const Health health = backend->health();
    ASSERT_EQ(health.state, HealthState::Ready) << "call " << i << ": " << health.reason;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const Health down = backend->health();
  EXPECT_EQ(down.state, HealthState::Down);
  EXPECT_THAT(down.reason, HasSubstr("DeviceRemoved"));
}

TEST_F(BackendStatsTest, HealthIsDegradedAfterARecovery) {
  const auto backend = make_backend(1);
  ASSERT_NE(backend, nullptr);
  // The session dies under an operation; the pool rebuilds it and the operation succeeds.
  shim_.fail("C_GenerateRandom", kSessionInvalid, 1);
  ASSERT_THAT(backend->random(16), IsOk());
  const Health degraded = backend->health();
  EXPECT_EQ(degraded.state, HealthState::Degraded);
  EXPECT_THAT(degraded.reason, HasSubstr("recovered"));
  EXPECT_GE(backend->stats().sessions_rebuilt, 1U);
  EXPECT_GE(backend->stats().retries, 1U);
}

TEST_F(BackendStatsTest, HealthIsDownWhileTheTokenIsGoneAndDegradedOnceItAnswers) {
  const auto backend = make_backend(2);
  ASSERT_NE(backend, nullptr);
  shim_.fail("C_GetSessionInfo", kDeviceRemoved, 1000);
  const Health down = backend->health();
  EXPECT_EQ(down.state, HealthState::Down);
  EXPECT_THAT(down.reason, HasSubstr("probe"));
  EXPECT_EQ(backend->health().state, HealthState::Down);  // the cached answer, no new probe
  shim_.fail("C_GetSessionInfo", 0, 0);                   // the token answers again
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const Health after = backend->health();
  EXPECT_EQ(after.state, HealthState::Degraded) << after.reason;  // the probe's session was rebuilt
}

TEST_F(BackendStatsTest, EventsReachBothThePoolHandlerAndThePublicOne) {
  std::mutex mutex;
  std::vector<pkcs11::PoolEventKind> internal;
  std::vector<ReliabilityEvent> public_events;
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.pool_size = 1;
  auto backend = pkcs11::Pkcs11PassthroughBackend::create(std::move(config),
                                                          [&](const pkcs11::PoolEvent& event) {
                                                            const std::lock_guard lock(mutex);
                                                            internal.push_back(event.kind);
                                                          });
  ASSERT_THAT(backend, IsOk());
  std::size_t before = 0;  // the login at creation came before the public handler was set
  {
    const std::lock_guard lock(mutex);
    before = internal.size();
  }
  (*backend)->set_event_handler([&](const ReliabilityEvent& event) {
    const std::lock_guard lock(mutex);
    public_events.push_back(event);
  });
  shim_.fail("C_GenerateRandom", kSessionInvalid, 1);
  ASSERT_THAT((*backend)->random(16), IsOk());
  const std::lock_guard lock(mutex);
  EXPECT_THAT(internal, ::testing::Contains(pkcs11::PoolEventKind::SessionRebuilt));
  const auto rebuilt = std::ranges::find_if(public_events, [](const ReliabilityEvent& event) {
    return event.kind == ReliabilityEventKind::SessionRebuilt;
  });
  ASSERT_NE(rebuilt, public_events.end());
  EXPECT_EQ(rebuilt->session_index, 0U);
  EXPECT_LE(rebuilt->time, std::chrono::system_clock::now());
  // Every internal event but SizeClamped has its public counterpart.
  EXPECT_EQ(public_events.size(), internal.size() - before);
}

TEST_F(BackendStatsTest, StatsAreReadableWhileFourThreadsWork) {
  const auto backend = make_backend(4);
  ASSERT_NE(backend, nullptr);
  const Key key = fresh_hmac_key();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  constexpr std::uint64_t kTotal = std::uint64_t{kThreads} * kPerThread;
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kPerThread; ++i) {
          if (!backend->hmac(key, HashAlg::Sha256, fresh_bytes(32))) ++failures;
          if (!backend->random(8)) ++failures;
        }
      });
    }
    std::uint64_t last = 0;
    while (last < kTotal) {
      const BackendStats stats = backend->stats();
      const auto it = stats.operations.find("hmac");
      const std::uint64_t now = it == stats.operations.end() ? 0 : it->second.count;
      ASSERT_GE(now, last);  // counters only grow
      last = now;
      EXPECT_FALSE(render_prometheus(stats).empty());
    }
  }
  EXPECT_EQ(failures.load(), 0);
  const BackendStats stats = backend->stats();
  EXPECT_EQ(stats.operations.at("hmac").count, kThreads * kPerThread);
  EXPECT_EQ(stats.operations.at("random").count, kThreads * kPerThread);
  EXPECT_EQ(stats.key_cache_hits + stats.key_cache_misses, kThreads * kPerThread);
}

}  // namespace
}  // namespace craton::hsm
