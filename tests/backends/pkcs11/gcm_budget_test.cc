// SPDX-License-Identifier: Apache-2.0
// The per-key AES-GCM message budget: refused past the ceiling, decryption unaffected,
// sticky across eviction, one budget per key across sessions and threads.
#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::softhsm_config;

std::unique_ptr<Pkcs11PassthroughBackend> make_backend(std::uint64_t ceiling,
                                                       std::uint32_t pool_size = 2,
                                                       std::uint32_t cache_capacity = 256) {
  Pkcs11PassthroughConfig config = softhsm_config();
  config.gcm_max_messages_per_key = ceiling;
  config.pool_size = pool_size;
  config.cache_capacity = cache_capacity;
  auto backend = Pkcs11PassthroughBackend::create(std::move(config));
  EXPECT_THAT(backend, IsOk());
  return backend ? std::move(*backend) : nullptr;
}

Key aes_key(std::uint8_t fill) {
  return Key::aes(std::vector<std::uint8_t>(16, fill)).value();
}

const std::vector<std::uint8_t> kMessage{'b', 'u', 'd', 'g', 'e', 't'};

TEST(GcmBudgetTest, TheMessageAfterTheCeilingIsRefusedAndDecryptionStillWorks) {
  auto backend = make_backend(5);
  ASSERT_NE(backend, nullptr);
  const Key key = aes_key(1);
  std::vector<Bytes> sealed;
  for (int i = 0; i < 5; ++i) {
    auto result = backend->aes_gcm_encrypt(key, kMessage, {});
    ASSERT_THAT(result, IsOk()) << "message " << i + 1;
    sealed.push_back(std::move(*result));
  }
  auto sixth = backend->aes_gcm_encrypt(key, kMessage, {});
  EXPECT_THAT(sixth, HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  EXPECT_FALSE(sixth.error().is_transient());
  for (const Bytes& message : sealed) {
    auto opened = backend->aes_gcm_decrypt(key, message, {});
    ASSERT_THAT(opened, IsOk());
    EXPECT_TRUE(std::equal(opened->expose().begin(), opened->expose().end(), kMessage.begin(),
                           kMessage.end()));
  }
  EXPECT_EQ(backend->gcm_messages(key), 5u);
}

TEST(GcmBudgetTest, EvictionAndReimportDoNotResetTheCount) {
  auto backend = make_backend(5, /*pool_size=*/1, /*cache_capacity=*/1);
  ASSERT_NE(backend, nullptr);
  const Key key = aes_key(2);
  for (int i = 0; i < 3; ++i) ASSERT_THAT(backend->aes_gcm_encrypt(key, kMessage, {}), IsOk());
  const auto destroys = backend->module().call_count(Fn::DestroyObject);
  ASSERT_THAT(backend->aes_gcm_encrypt(aes_key(3), kMessage, {}), IsOk());  // evicts `key`
  EXPECT_EQ(backend->module().call_count(Fn::DestroyObject), destroys + 1);
  for (int i = 0; i < 2; ++i) ASSERT_THAT(backend->aes_gcm_encrypt(key, kMessage, {}), IsOk());
  EXPECT_THAT(backend->aes_gcm_encrypt(key, kMessage, {}),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
}

TEST(GcmBudgetTest, SeparateKeyObjectsWithEqualBytesShareOneBudget) {
  auto backend = make_backend(4);
  ASSERT_NE(backend, nullptr);
  for (int i = 0; i < 4; ++i)
    ASSERT_THAT(backend->aes_gcm_encrypt(aes_key(4), kMessage, {}), IsOk());
  EXPECT_THAT(backend->aes_gcm_encrypt(aes_key(4), kMessage, {}),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  EXPECT_THAT(backend->aes_gcm_encrypt(aes_key(5), kMessage, {}), IsOk())
      << "other keys unaffected";
}

// backend.h: a sealed_out too small is BufferTooSmall before any token call and before the
// message counts, so the one message the budget allows is still there afterwards.
TEST(GcmBudgetTest, ABufferTooSmallUsesNoBudgetAndNoTokenCall) {
  auto backend = make_backend(1);
  ASSERT_NE(backend, nullptr);
  const Key key = aes_key(8);
  std::vector<std::uint8_t> sealed(kGcmIvSize + kMessage.size() + kGcmTagSize - 1);
  const auto encrypts = backend->module().call_count(Fn::EncryptInit);
  const auto imports = backend->module().call_count(Fn::CreateObject);
  const auto draws = backend->module().call_count(Fn::GenerateRandom);
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(backend->aes_gcm_encrypt_into(key, kMessage, {}, sealed),
                HasErrorCode(ErrorCode::BufferTooSmall));
  }
  EXPECT_EQ(backend->gcm_messages(key), 0u);
  EXPECT_EQ(backend->module().call_count(Fn::EncryptInit), encrypts);
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), imports);
  EXPECT_EQ(backend->module().call_count(Fn::GenerateRandom), draws);
  sealed.push_back(0);
  EXPECT_THAT(backend->aes_gcm_encrypt_into(key, kMessage, {}, sealed), IsOk());
  EXPECT_EQ(backend->gcm_messages(key), 1u);
  EXPECT_THAT(backend->aes_gcm_encrypt_into(key, kMessage, {}, sealed),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
}

TEST(GcmBudgetTest, EightThreadsNeverExceedTheCeilingByEvenOne) {
  constexpr std::uint64_t kCeiling = 100;
  auto backend = make_backend(kCeiling, /*pool_size=*/8);
  ASSERT_NE(backend, nullptr);
  const Key key = aes_key(6);
  std::atomic<std::uint64_t> successes{0};
  std::atomic<std::uint64_t> refusals{0};
  std::atomic<std::uint64_t> other_errors{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 25; ++i) {
          auto result = backend->aes_gcm_encrypt(key, kMessage, {});
          if (result) {
            ++successes;
          } else if (result.error().code() == ErrorCode::KeyUsageLimitExceeded) {
            ++refusals;
          } else {
            ++other_errors;
          }
        }
      });
    }
  }
  EXPECT_EQ(successes.load(), kCeiling);
  EXPECT_EQ(refusals.load(), std::uint64_t{8} * 25 - kCeiling);
  EXPECT_EQ(other_errors.load(), 0u);
}

TEST(GcmBudgetTest, IvsAreFreshForEveryMessage) {
  auto backend = make_backend(1000, /*pool_size=*/1);
  ASSERT_NE(backend, nullptr);
  const Key key = aes_key(7);
  std::set<Bytes> ivs;
  const auto random_calls = backend->module().call_count(Fn::GenerateRandom);
  for (int i = 0; i < 700; ++i) {
    auto sealed = backend->aes_gcm_encrypt(key, kMessage, {});
    ASSERT_THAT(sealed, IsOk());
    ivs.insert(Bytes(sealed->begin(), sealed->begin() + kGcmIvSize));
  }
  EXPECT_EQ(ivs.size(), 700u);
  // 341 IVs per 4 KiB draw: three draws for 700 messages, not 700.
  EXPECT_EQ(backend->module().call_count(Fn::GenerateRandom), random_calls + 3);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
