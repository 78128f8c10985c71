// SPDX-License-Identifier: Apache-2.0
// One backend and one set of keys used from many threads at once (run it under ASan/TSan).
#include <atomic>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/software/test_util.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

class ConcurrencyTest : public SoftwareBackendTest {};

TEST_F(ConcurrencyTest, SharedKeysWorkFromManyThreads) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 25;
  // Generated (and their EVP_PKEYs built) before the threads start sharing them.
  const Key& ec = generated(KeyAlgorithm::EcP256);
  const Key& rsa = generated(KeyAlgorithm::Rsa2048);
  const Key& ed = generated(KeyAlgorithm::Ed25519);
  const Key& aes = generated(KeyAlgorithm::Aes256);
  std::atomic<int> failures{0};

  const auto work = [&](int thread) {
    const Bytes message = text_bytes("thread " + std::to_string(thread));
    for (int round = 0; round < kRounds; ++round) {
      for (const auto& [key, scheme] :
           {std::pair{&ec, SignScheme::EcdsaP256Sha256}, std::pair{&rsa, SignScheme::RsaPssSha256},
            std::pair{&ed, SignScheme::Ed25519}}) {
        const auto signature = backend().sign(*key, scheme, message);
        if (!signature ||
            backend().verify(*key, scheme, message, *signature) != VerifyOutcome::Valid) {
          ++failures;
        }
      }
      const auto sealed = backend().aes_gcm_encrypt(aes, message, {});
      if (!sealed) {
        ++failures;
        continue;
      }
      const auto opened = backend().aes_gcm_decrypt(aes, *sealed, {});
      if (!opened || bytes_of(*opened) != message) ++failures;
      // Failure paths run concurrently too.
      const auto tampered = backend().aes_gcm_decrypt(aes, flipped(*sealed, 0), {});
      if (tampered || tampered.error().code() != ErrorCode::AuthenticationFailed) ++failures;
    }
  };

  std::vector<std::jthread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back(work, i);
  threads.clear();  // joins
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace craton::hsm::testing
