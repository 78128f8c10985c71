// SPDX-License-Identifier: Apache-2.0
// Token digest streams: a stream that fails or overflows ends its token operation and gives
// its session back usable; a stream belongs to no thread, so it may be finished or dropped on
// another thread than the one that opened it while other threads use the pool.
#include <craton/hsm/software_backend.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::softhsm_config;

constexpr std::uint64_t kMaxMessage = 64;

std::unique_ptr<Pkcs11PassthroughBackend> make_backend(Pkcs11PassthroughConfig config,
                                                       std::uint32_t pool_size) {
  config.pool_size = pool_size;
  config.max_message_bytes = kMaxMessage;
  config.acquire_timeout = std::chrono::milliseconds(200);
  auto backend = Pkcs11PassthroughBackend::create(std::move(config));
  EXPECT_THAT(backend, IsOk());
  return backend ? std::move(*backend) : nullptr;
}

Bytes reference_digest(ByteView data) {
  return make_software_backend()->digest(HashAlg::Sha256, data).value();
}

const std::vector<std::uint8_t> kChunk(40, 0x61);

// max_message_bytes bounds each piece, not the stream: streaming exists for inputs of any
// length (`craton-hsm digest` of a 100 MiB file), as in the software backend.
TEST(DigestStreamTest, AStreamCarriesMoreThanMaxMessageBytesInPieces) {
  auto backend = make_backend(softhsm_config(), 1);
  ASSERT_NE(backend, nullptr);
  auto stream = backend->digest_stream(HashAlg::Sha256);
  ASSERT_THAT(stream, IsOk());
  Bytes whole;
  for (int i = 0; i < 4; ++i) {  // 160 bytes in all, more than the 64 of max_message_bytes
    ASSERT_THAT((*stream)->update(kChunk), IsOk()) << i;
    whole.insert(whole.end(), kChunk.begin(), kChunk.end());
  }
  EXPECT_EQ((*stream)->finish().value(), reference_digest(whole));
}

TEST(DigestStreamTest, APiecePastMaxMessageBytesEndsTheStreamAndFreesItsSession) {
  auto backend = make_backend(softhsm_config(), 1);
  ASSERT_NE(backend, nullptr);
  const Bytes too_big(kMaxMessage + 1, 0x61);
  {
    auto stream = backend->digest_stream(HashAlg::Sha256);
    ASSERT_THAT(stream, IsOk());
    ASSERT_THAT((*stream)->update(kChunk), IsOk());
    EXPECT_THAT((*stream)->update(too_big), HasErrorCode(ErrorCode::DataLenRange));
    EXPECT_THAT((*stream)->update(kChunk), HasErrorCode(ErrorCode::InvalidArgument));
    EXPECT_THAT((*stream)->finish(), HasErrorCode(ErrorCode::InvalidArgument));
    // The session is free again before the stream object goes.
    auto digest = backend->digest(HashAlg::Sha256, kChunk);
    ASSERT_THAT(digest, IsOk());
    EXPECT_EQ(*digest, reference_digest(kChunk));
  }
  auto digest = backend->digest(HashAlg::Sha256, kChunk);
  ASSERT_THAT(digest, IsOk());
  EXPECT_EQ(*digest, reference_digest(kChunk));
  auto stream = backend->digest_stream(HashAlg::Sha256);
  ASSERT_THAT(stream, IsOk());
  ASSERT_THAT((*stream)->update(kChunk), IsOk());
  EXPECT_EQ((*stream)->finish().value(), reference_digest(kChunk));
}

// The token ends the digest when C_DigestUpdate fails (v2.40 §5.10); the stream ends with it
// rather than finishing over the input it lost.
TEST(DigestStreamTest, AFailedUpdateEndsTheStreamAndTheSessionStaysUsable) {
  FaultShim shim;
  auto backend = make_backend(fault_shim_config(), 1);
  ASSERT_NE(backend, nullptr);
  auto stream = backend->digest_stream(HashAlg::Sha256);
  ASSERT_THAT(stream, IsOk());
  ASSERT_THAT((*stream)->update(std::vector<std::uint8_t>(10, 1)), IsOk());
  shim.fail("C_DigestUpdate", CKR_DEVICE_MEMORY, 1);
  EXPECT_THAT((*stream)->update(std::vector<std::uint8_t>(10, 2)),
              HasErrorCode(ErrorCode::DeviceMemory));
  EXPECT_THAT((*stream)->finish(), HasErrorCode(ErrorCode::InvalidArgument))
      << "a digest over part of the input";
  stream->reset();
  auto digest = backend->digest(HashAlg::Sha256, kChunk);
  ASSERT_THAT(digest, IsOk());
  EXPECT_EQ(*digest, reference_digest(kChunk));
}

TEST(DigestStreamTest, AThreadHoldingAStreamStillGetsAnotherSession) {
  auto backend = make_backend(softhsm_config(), 2);
  ASSERT_NE(backend, nullptr);
  auto stream = backend->digest_stream(HashAlg::Sha256);
  ASSERT_THAT(stream, IsOk());
  EXPECT_THAT(backend->digest(HashAlg::Sha256, kChunk), IsOk());
  ASSERT_THAT((*stream)->update(kChunk), IsOk());
  EXPECT_EQ((*stream)->finish().value(), reference_digest(kChunk));
}

TEST(DigestStreamTest, AThreadHoldingTheOnlySessionTimesOutInsteadOfTakingItTwice) {
  auto backend = make_backend(softhsm_config(), 1);
  ASSERT_NE(backend, nullptr);
  auto stream = backend->digest_stream(HashAlg::Sha256);
  ASSERT_THAT(stream, IsOk());
  EXPECT_THAT(backend->digest(HashAlg::Sha256, kChunk), HasErrorCode(ErrorCode::PoolTimeout));
  ASSERT_THAT((*stream)->update(kChunk), IsOk());
  EXPECT_EQ((*stream)->finish().value(), reference_digest(kChunk));
}

// Streams opened on one thread, then updated and finished or dropped on another, while more
// threads take and return sessions: run it under the sanitizers (a session held by a mutex
// would be unlocked by a thread that does not own it).
TEST(DigestStreamTest, StreamsMayEndOnAnotherThreadThanTheOneThatOpenedThem) {
  auto backend = make_backend(softhsm_config(), 3);
  ASSERT_NE(backend, nullptr);
  const Bytes expected = reference_digest(kChunk);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::jthread> others;
  for (int t = 0; t < 2; ++t) {
    others.emplace_back([&] {
      while (!stop) {
        auto digest = backend->digest(HashAlg::Sha256, kChunk);
        if (!digest && digest.error().code() != ErrorCode::PoolTimeout) ++failures;
        if (digest && *digest != expected) ++failures;
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    std::unique_ptr<DigestStream> stream;
    std::jthread([&] {  // thread A opens
      auto opened = backend->digest_stream(HashAlg::Sha256);
      if (opened) stream = std::move(*opened);
    })
        .join();
    if (!stream) {
      ++failures;
      continue;
    }
    std::jthread([&, i] {  // thread B finishes or drops it
      if (i % 2 == 0) {
        if (!stream->update(kChunk)) ++failures;
        auto digest = stream->finish();
        if (!digest || *digest != expected) ++failures;
      }
      stream.reset();
    })
        .join();
  }
  stop = true;
  others.clear();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(backend->pool().counters().sessions_rebuilt, 0u)
      << "every stream ended its operation itself";
}

}  // namespace
}  // namespace craton::hsm::pkcs11
