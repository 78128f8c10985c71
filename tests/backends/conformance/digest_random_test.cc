// SPDX-License-Identifier: Apache-2.0
// Conformance of digest (FIPS 180 known answers, one-shot and streaming, single-use streams)
// and random (sizes 1..65536 only), identically on every backend.
#include <craton/hsm/backend.h>

#include <algorithm>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/conformance/bytes.h"
#include "backends/conformance/conformance_matchers.h"
#include "backends/conformance/fixture.h"

namespace craton::hsm::conformance {
namespace {

using testing::HasErrorCode;

class DigestConformance : public BackendTest {};
class RandomConformance : public BackendTest {};

// FIPS 180-4 examples (NIST CSRC "Example Values"): the one-block message "abc".
constexpr std::pair<HashAlg, const char*> kAbcDigests[] = {
    {HashAlg::Sha224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
    {HashAlg::Sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {HashAlg::Sha384,
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
     "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
    {HashAlg::Sha512,
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
};

TEST_P(DigestConformance, OneShotMatchesFips180ForAbc) {
  for (const auto& [hash, expected] : kAbcDigests) {
    EXPECT_THAT(backend().digest(hash, bytes_of("abc")), HoldsBytes(from_hex(expected)))
        << hash_name(hash);
  }
}

TEST_P(DigestConformance, StreamingMatchesFips180ForAbcHoweverItIsSplit) {
  for (const auto& [hash, expected] : kAbcDigests) {
    SCOPED_TRACE(hash_name(hash));
    ASSERT_OK_AND_ASSIGN(const std::unique_ptr<DigestStream> stream, backend().digest_stream(hash));
    EXPECT_THAT(stream->update(Bytes{}), testing::IsOk());
    EXPECT_THAT(stream->update(bytes_of("a")), testing::IsOk());
    EXPECT_THAT(stream->update(bytes_of("bc")), testing::IsOk());
    EXPECT_THAT(stream->finish(), HoldsBytes(from_hex(expected)));
  }
}

TEST_P(DigestConformance, EmptyInputAndLongStreamsAgreeWithOneShot) {
  EXPECT_THAT(
      backend().digest(HashAlg::Sha256, Bytes{}),
      HoldsBytes(from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")));
  Bytes long_message(10007);
  for (std::size_t i = 0; i < long_message.size(); ++i) {
    long_message[i] = static_cast<std::uint8_t>(i * 31);
  }
  for (const auto& [hash, unused] : kAbcDigests) {
    SCOPED_TRACE(hash_name(hash));
    ASSERT_OK_AND_ASSIGN(const Bytes one_shot, backend().digest(hash, long_message));
    EXPECT_EQ(one_shot.size(), digest_size(hash));
    ASSERT_OK_AND_ASSIGN(const std::unique_ptr<DigestStream> stream, backend().digest_stream(hash));
    for (std::size_t at = 0; at < long_message.size(); at += 97) {
      const std::size_t n = std::min<std::size_t>(97, long_message.size() - at);
      ASSERT_THAT(stream->update(ByteView(long_message).subspan(at, n)), testing::IsOk());
    }
    EXPECT_THAT(stream->finish(), HoldsBytes(one_shot));
  }
}

TEST_P(DigestConformance, AFinishedStreamRefusesEverything) {
  ASSERT_OK_AND_ASSIGN(const std::unique_ptr<DigestStream> stream,
                       backend().digest_stream(HashAlg::Sha384));
  ASSERT_THAT(stream->finish(), testing::IsOk());
  EXPECT_THAT(stream->update(bytes_of("more")), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(stream->finish(), HasErrorCode(ErrorCode::InvalidArgument));
}

TEST_P(RandomConformance, ReturnsExactlyTheRequestedSizeFromOneTo65536) {
  for (const std::size_t size : {1U, 32U, 65536U}) {
    EXPECT_THAT(backend().random(size), HoldsBytesOfSize(size));
  }
  ASSERT_OK_AND_ASSIGN(const Bytes first, backend().random(32));
  ASSERT_OK_AND_ASSIGN(const Bytes second, backend().random(32));
  EXPECT_NE(first, second);
  EXPECT_NE(first, Bytes(32, 0));
}

TEST_P(RandomConformance, ZeroAndMoreThan65536AreInvalidArgument) {
  EXPECT_THAT(backend().random(0), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(backend().random(65537), HasErrorCode(ErrorCode::InvalidArgument));
}

CRATON_INSTANTIATE_OVER_BACKENDS(DigestConformance);
CRATON_INSTANTIATE_OVER_BACKENDS(RandomConformance);

}  // namespace
}  // namespace craton::hsm::conformance
