// SPDX-License-Identifier: Apache-2.0
// HMAC (RFC 4231 test case 2), digests one-shot and streamed, and random bytes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/software/test_util.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

class HmacTest : public SoftwareBackendTest {
 protected:
  // RFC 4231 §4.3: a key shorter than the output, "Jefe".
  const Key key_ = *Key::hmac(text_bytes("Jefe"));
  const Bytes message_ = text_bytes("what do ya want for nothing?");
};

TEST_F(HmacTest, MatchesRfc4231TestCase2) {
  const std::pair<HashAlg, const char*> cases[] = {
      {HashAlg::Sha256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {HashAlg::Sha384,
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
       "8e2240ca5e69e2c78b3239ecfab21649"},
      {HashAlg::Sha512,
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
       "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
  };
  for (const auto& [hash, expected] : cases) {
    SCOPED_TRACE(hash_name(hash));
    const auto tag = backend().hmac(key_, hash, message_);
    ASSERT_THAT(tag, IsOk());
    EXPECT_EQ(*tag, hex(expected));
    EXPECT_THAT(backend().hmac_verify(key_, hash, message_, hex(expected)),
                ::testing::Optional(VerifyOutcome::Valid));
  }
}

TEST_F(HmacTest, VerifyAnswersInvalidForAnyWrongTag) {
  const auto tag = backend().hmac(key_, HashAlg::Sha256, message_);
  ASSERT_THAT(tag, IsOk());
  EXPECT_THAT(backend().hmac_verify(key_, HashAlg::Sha256, message_, flipped(*tag, 31)),
              ::testing::Optional(VerifyOutcome::Invalid));
  EXPECT_THAT(backend().hmac_verify(key_, HashAlg::Sha256, flipped(message_, 0), *tag),
              ::testing::Optional(VerifyOutcome::Invalid));
  // Truncated tags (RFC 4231 test case 5 style) are deliberately not accepted.
  const Bytes truncated(tag->begin(), tag->begin() + 16);
  EXPECT_THAT(backend().hmac_verify(key_, HashAlg::Sha256, message_, truncated),
              ::testing::Optional(VerifyOutcome::Invalid));
  Bytes extended = *tag;
  extended.push_back(0);
  EXPECT_THAT(backend().hmac_verify(key_, HashAlg::Sha256, message_, extended),
              ::testing::Optional(VerifyOutcome::Invalid));
  EXPECT_THAT(backend().hmac_verify(key_, HashAlg::Sha256, message_, {}),
              ::testing::Optional(VerifyOutcome::Invalid));
}

TEST_F(HmacTest, EmptyMessageIsAllowed) {
  const auto tag = backend().hmac(key_, HashAlg::Sha384, {});
  ASSERT_THAT(tag, IsOk());
  EXPECT_EQ(tag->size(), 48u);
}

TEST_F(HmacTest, Sha224IsUnsupported) {
  EXPECT_THAT(backend().hmac(key_, HashAlg::Sha224, message_),
              HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_THAT(backend().hmac_verify(key_, HashAlg::Sha224, message_, Bytes(28, 0)),
              HasErrorCode(ErrorCode::MechanismUnsupported));
}

TEST_F(HmacTest, KeyMustBeAnHmacKey) {
  const auto aes = Key::aes(Bytes(16, 1));
  ASSERT_THAT(aes, IsOk());
  EXPECT_THAT(backend().hmac(*aes, HashAlg::Sha256, message_),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_THAT(backend().hmac_verify(*aes, HashAlg::Sha256, message_, Bytes(32, 0)),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
}

TEST_F(HmacTest, MessagesOverTheLimitAreRefused) {
  const auto small = make_software_backend({.max_message_bytes = 8});
  EXPECT_THAT(small->hmac(key_, HashAlg::Sha256, message_), HasErrorCode(ErrorCode::DataLenRange));
}

class DigestTest : public SoftwareBackendTest {};

TEST_F(DigestTest, MatchesFips180Abc) {
  const std::pair<HashAlg, const char*> cases[] = {
      {HashAlg::Sha224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
      {HashAlg::Sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {HashAlg::Sha384,
       "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
       "8086072ba1e7cc2358baeca134c825a7"},
      {HashAlg::Sha512,
       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
  };
  for (const auto& [hash, expected] : cases) {
    SCOPED_TRACE(hash_name(hash));
    EXPECT_THAT(backend().digest(hash, text_bytes("abc")), ::testing::Optional(hex(expected)));
  }
}

TEST_F(DigestTest, EmptyInputIsAllowed) {
  EXPECT_THAT(
      backend().digest(HashAlg::Sha256, {}),
      ::testing::Optional(hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")));
}

TEST_F(DigestTest, StreamEqualsOneShot) {
  Bytes data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31);
  for (const HashAlg hash : {HashAlg::Sha224, HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512}) {
    SCOPED_TRACE(hash_name(hash));
    auto stream = backend().digest_stream(hash);
    ASSERT_THAT(stream, IsOk());
    const ByteView view(data);
    for (const auto& [offset, size] :
         {std::pair<std::size_t, std::size_t>{0, 0}, {0, 1}, {1, 127}, {128, 0}, {128, 872}}) {
      ASSERT_THAT((*stream)->update(view.subspan(offset, size)), IsOk());
    }
    const auto streamed = (*stream)->finish();
    ASSERT_THAT(streamed, IsOk());
    EXPECT_THAT(backend().digest(hash, data), ::testing::Optional(*streamed));
  }
}

TEST_F(DigestTest, StreamRefusesUseAfterFinish) {
  auto stream = backend().digest_stream(HashAlg::Sha256);
  ASSERT_THAT(stream, IsOk());
  ASSERT_THAT((*stream)->finish(), IsOk());
  EXPECT_THAT((*stream)->finish(), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT((*stream)->update(text_bytes("more")), HasErrorCode(ErrorCode::InvalidArgument));
}

TEST_F(DigestTest, InputsOverTheLimitAreRefused) {
  const auto small = make_software_backend({.max_message_bytes = 4});
  EXPECT_THAT(small->digest(HashAlg::Sha256, Bytes(5, 0)), HasErrorCode(ErrorCode::DataLenRange));
  auto stream = small->digest_stream(HashAlg::Sha256);
  ASSERT_THAT(stream, IsOk());
  EXPECT_THAT((*stream)->update(Bytes(5, 0)), HasErrorCode(ErrorCode::DataLenRange));
  EXPECT_THAT((*stream)->update(Bytes(4, 0)), IsOk());
}

class RandomTest : public SoftwareBackendTest {};

TEST_F(RandomTest, ServesOneTo65536Bytes) {
  EXPECT_THAT(backend().random(1), ::testing::Optional(::testing::SizeIs(1)));
  EXPECT_THAT(backend().random(65536), ::testing::Optional(::testing::SizeIs(65536)));
  EXPECT_THAT(backend().random(0), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(backend().random(65537), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_NE(*backend().random(32), *backend().random(32));
}

TEST_F(RandomTest, NameCarriesTheOpenSslVersion) {
  EXPECT_THAT(std::string(backend().name()), ::testing::StartsWith("software:OpenSSL 3."));
}

}  // namespace
}  // namespace craton::hsm::testing
