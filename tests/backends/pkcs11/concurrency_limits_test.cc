// SPDX-License-Identifier: Apache-2.0
// The concurrency limits on the real token, through the fault shim (whose not_thread_safe mode
// refuses and counts a call made while another is inside the module): a limit holds whatever the
// number of threads and sessions, classes are limited separately, a full class gives PoolTimeout at
// acquire_timeout, stats() reports each limited class, and an operation that another thread runs
// for its caller (combining) hands back the caller's own result and notes.
#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/stats.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/operation_notes.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::IsOk;
using ::testing::HasSubstr;

std::vector<std::uint8_t> random_bytes(std::size_t size) {
  std::random_device device;
  std::vector<std::uint8_t> bytes(size);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(device());
  return bytes;
}

std::unique_ptr<Pkcs11Backend> make_backend(
    ConcurrencyConfig concurrency,
    std::chrono::milliseconds acquire_timeout = std::chrono::milliseconds(10'000)) {
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.pool_size = 8;
  config.acquire_timeout = acquire_timeout;
  config.concurrency = concurrency;
  auto backend = make_pkcs11_backend(std::move(config));
  EXPECT_THAT(backend, IsOk());
  return backend ? std::move(*backend) : nullptr;
}

// `threads` threads each seal `per_thread` messages under one AES key.
void seal_on_threads(Pkcs11Backend& backend, const Key& key, int threads, int per_thread) {
  std::vector<std::jthread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        EXPECT_THAT(backend.aes_gcm_encrypt(key, random_bytes(64), {}), IsOk());
      }
    });
  }
}

class ConcurrencyLimitsTest : public ::testing::Test {
 protected:
  FaultShim shim_;
  const Key aes_ = *Key::aes(random_bytes(32));
};

// The shim's not_thread_safe mode refuses a call while another is inside it (from before its
// sleep to its end), so with a limit of one per class and eight threads on eight sessions every
// operation must succeed with no overlap.
TEST_F(ConcurrencyLimitsTest, ALimitOfOneKeepsEveryCallerOffTheTokenWhileAnotherIsOnIt) {
  const auto backend = make_backend(ConcurrencyConfig::all(ConcurrencyLimit::at_most(1)));
  ASSERT_NE(backend, nullptr);
  ASSERT_THAT(backend->aes_gcm_encrypt(aes_, random_bytes(16), {}), IsOk());  // imports the key
  shim_.add("not_thread_safe=1;C_Encrypt:sleep=2");  // long enough for eight threads to pile up
  seal_on_threads(*backend, aes_, 8, 6);
  EXPECT_EQ(shim_.stats().overlaps, 0U);
  const BackendStats stats = backend->stats();
  ASSERT_TRUE(stats.concurrency.contains("symmetric"));
  const ConcurrencyStats& symmetric = stats.concurrency.at("symmetric");
  EXPECT_EQ(symmetric.setting, "1");
  EXPECT_EQ(symmetric.limit, 1U);
  EXPECT_EQ(symmetric.in_flight, 0U);
  EXPECT_EQ(symmetric.waiting, 0U);
  EXPECT_GT(symmetric.queued, 0U);
  EXPECT_GT(symmetric.wait_p99_us, 0.0);
  EXPECT_EQ(symmetric.timeouts, 0U);
}

TEST_F(ConcurrencyLimitsTest, UnlimitedLetsEveryCallerThrough) {
  // The same load without a limit puts two calls inside the module at once: the test above
  // could fail.
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.pool_size = 8;
  config.breaker_threshold = 0;  // the refused calls are the shim's, not a lost device
  auto backend = make_pkcs11_backend(std::move(config));
  ASSERT_THAT(backend, IsOk());
  shim_.add("not_thread_safe=1;C_Encrypt:sleep=2");
  std::vector<std::jthread> workers;
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 6; ++i) (void)(*backend)->aes_gcm_encrypt(aes_, random_bytes(64), {});
    });
  }
  workers.clear();
  EXPECT_GT(shim_.stats().overlaps, 0U);
  EXPECT_TRUE((*backend)->stats().concurrency.empty());
}

TEST_F(ConcurrencyLimitsTest, ClassesAreLimitedSeparately) {
  ConcurrencyConfig concurrency;
  concurrency[OperationClass::Symmetric] = ConcurrencyLimit::at_most(1);
  const auto backend = make_backend(concurrency);
  ASSERT_NE(backend, nullptr);
  // A symmetric operation hangs in the module; an EC one still goes through at once.
  shim_.add("C_Encrypt:sleep=3000:nth=1");
  std::jthread hung(
      [&] { EXPECT_THAT(backend->aes_gcm_encrypt(aes_, random_bytes(16), {}), IsOk()); });
  while (shim_.calls("C_Encrypt") == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto ec = backend->generate_key(KeyAlgorithm::EcP256);
  ASSERT_THAT(ec, IsOk());
  EXPECT_THAT(backend->sign(*ec, SignScheme::EcdsaP256Sha256, random_bytes(32)), IsOk());
  EXPECT_FALSE(backend->stats().concurrency.contains("ec"));
  shim_.reset();  // wakes the hung call
}

TEST_F(ConcurrencyLimitsTest, AFullClassGivesPoolTimeoutAtTheAcquireTimeout) {
  ConcurrencyConfig concurrency;
  concurrency[OperationClass::Symmetric] = ConcurrencyLimit::at_most(1);
  const auto backend = make_backend(concurrency, std::chrono::milliseconds(100));
  ASSERT_NE(backend, nullptr);
  shim_.add("C_Encrypt:sleep=3000:nth=1");
  std::jthread hung([&] { (void)backend->aes_gcm_encrypt(aes_, random_bytes(16), {}); });
  while (shim_.calls("C_Encrypt") == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto started = std::chrono::steady_clock::now();
  const auto refused = backend->aes_gcm_encrypt(aes_, random_bytes(16), {});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::PoolTimeout);
  EXPECT_THAT(refused.error().message(), HasSubstr("limit 1"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2000));
  EXPECT_EQ(backend->stats().concurrency.at("symmetric").timeouts, 1U);
  shim_.reset();
}

// With a limit of one, the thread on the token runs the operations queued behind it. Each
// caller must still get its own result (it decrypts to its own message) and its own notes (the
// audit trail's mechanism): half the threads seal, half compute HMACs, so notes that stayed
// with the running thread would name the other mechanism, or none.
TEST_F(ConcurrencyLimitsTest, AnOperationRunForItsCallerBringsBackItsOwnResultAndNotes) {
  const auto backend = make_backend(ConcurrencyConfig::all(ConcurrencyLimit::at_most(1)));
  ASSERT_NE(backend, nullptr);
  const Key hmac_key = *Key::hmac(random_bytes(32));
  std::vector<std::jthread> workers;
  for (int t = 0; t < 6; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const std::vector<std::uint8_t> message = random_bytes(64);
        OperationNotes notes;
        if (t % 2 == 0) {
          Result<Bytes> sealed;
          {
            const ObservedOperation observed(notes);
            sealed = backend->aes_gcm_encrypt(aes_, message, {});
          }
          ASSERT_THAT(sealed, IsOk());
          EXPECT_EQ(notes.mechanism, "CKM_AES_GCM");
          const auto opened = backend->aes_gcm_decrypt(aes_, *sealed, {});
          ASSERT_THAT(opened, IsOk());
          ASSERT_TRUE(std::equal(message.begin(), message.end(), opened->expose().begin(),
                                 opened->expose().end()));
        } else {
          {
            const ObservedOperation observed(notes);
            ASSERT_THAT(backend->hmac(hmac_key, HashAlg::Sha256, message), IsOk());
          }
          EXPECT_EQ(notes.mechanism, "CKM_SHA256_HMAC");
        }
      }
    });
  }
  workers.clear();
  const ConcurrencyStats symmetric = backend->stats().concurrency.at("symmetric");
  EXPECT_GT(symmetric.queued, 0U);
  // Only a caller that queued can have its operation run by another thread.
  EXPECT_LE(symmetric.combined, symmetric.queued);
}

TEST_F(ConcurrencyLimitsTest, AnAdaptiveClassReportsItsLimitWithinThePool) {
  const auto backend = make_backend(ConcurrencyConfig::all(ConcurrencyLimit::adaptive()));
  ASSERT_NE(backend, nullptr);
  seal_on_threads(*backend, aes_, 4, 200);
  const BackendStats stats = backend->stats();
  const ConcurrencyStats& symmetric = stats.concurrency.at("symmetric");
  EXPECT_EQ(symmetric.setting, "adaptive");
  EXPECT_GE(symmetric.limit, 1U);
  EXPECT_LE(symmetric.limit, 8U);  // never above pool_size
}

}  // namespace
}  // namespace craton::hsm
