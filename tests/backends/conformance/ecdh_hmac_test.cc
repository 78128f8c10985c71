// SPDX-License-Identifier: Apache-2.0
// Conformance of ECDH (NIST CAVS known answers, both sides agree) and HMAC (RFC 4231 known
// answers, Invalid for wrong tags, SHA-224 refused, key-size capability), on every backend.
#include <craton/hsm/backend.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/conformance/bytes.h"
#include "backends/conformance/conformance_matchers.h"
#include "backends/conformance/fixture.h"

namespace craton::hsm::conformance {
namespace {

using testing::HasErrorCode;

class EcdhConformance : public BackendTest {};
class HmacConformance : public BackendTest {};

TEST_P(EcdhConformance, BothSidesAgreeOnP256AndP384) {
  const std::pair<KeyAlgorithm, std::size_t> curves[] = {{KeyAlgorithm::EcP256, 32},
                                                         {KeyAlgorithm::EcP384, 48}};
  for (const auto& [algorithm, size] : curves) {
    SCOPED_TRACE(key_algorithm_name(algorithm));
    ASSERT_OK_AND_ASSIGN(const Key alice, backend().generate_key(algorithm));
    ASSERT_OK_AND_ASSIGN(const Key bob, backend().generate_key(algorithm));
    ASSERT_OK_AND_ASSIGN(const Key alice_public, alice.public_key());
    ASSERT_OK_AND_ASSIGN(const Key bob_public, bob.public_key());
    ASSERT_OK_AND_ASSIGN(const SecretBytes alice_view, backend().ecdh(alice, bob_public));
    ASSERT_OK_AND_ASSIGN(const SecretBytes bob_view, backend().ecdh(bob, alice_public));
    EXPECT_EQ(alice_view.size(), size);
    EXPECT_TRUE(alice_view.equals(bob_view));
  }
}

// NIST CAVS 14.1 "ECC CDH Primitive" (SP 800-56A §5.7.1.2), COUNT = 0 for P-256 and P-384.
TEST_P(EcdhConformance, MatchesNistCavsKnownAnswers) {
  struct Vector {
    EcCurve curve;
    const char* d_iut;
    const char* qcavs_x;
    const char* qcavs_y;
    const char* z_iut;
  };
  const Vector vectors[] = {
      {EcCurve::P256, "7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534",
       "700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287",
       "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac",
       "46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b"},
      {EcCurve::P384,
       "3cc3122a68f0d95027ad38c067916ba0eb8c38894d22e1b15618b6818a661774ad463b205da88cf699ab4d43c9c"
       "f98a1",
       "a7c76b970c3b5fe8b05d2838ae04ab47697b9eaf52e764592efda27fe7513272734466b400091adbf2d68c58e0c"
       "50066",
       "ac68f19f2e1cb879aed43a9969b91a0839c4c38a49749b661efedf243451915ed0905a32b060992b468c64766fc"
       "8437a",
       "5f9d29dc5e31a163060356213669c8ce132e22f57c9a04f40ba7fcead493b457e5621e766c40a2e3d4d6a04b25e"
       "533f1"},
  };
  for (const Vector& v : vectors) {
    SCOPED_TRACE(v.curve == EcCurve::P256 ? "P-256" : "P-384");
    ASSERT_OK_AND_ASSIGN(const Key ours, Key::ec_private(v.curve, from_hex(v.d_iut)));
    const Bytes point = concat(concat(Bytes{0x04}, from_hex(v.qcavs_x)), from_hex(v.qcavs_y));
    ASSERT_OK_AND_ASSIGN(const Key theirs, Key::ec_public(v.curve, point));
    EXPECT_THAT(backend().ecdh(ours, theirs), HoldsBytes(from_hex(v.z_iut)));
  }
}

TEST_P(EcdhConformance, KeysOfTheWrongKindOrCurveAreKeyTypeInconsistent) {
  ASSERT_OK_AND_ASSIGN(const Key p256, shared_key(KeyAlgorithm::EcP256));
  ASSERT_OK_AND_ASSIGN(const Key p384, shared_key(KeyAlgorithm::EcP384));
  ASSERT_OK_AND_ASSIGN(const Key rsa, shared_key(KeyAlgorithm::Rsa2048));
  ASSERT_OK_AND_ASSIGN(const Key aes, fresh_aes_key(32));
  ASSERT_OK_AND_ASSIGN(const Key p256_public, p256.public_key());
  ASSERT_OK_AND_ASSIGN(const Key p384_public, p384.public_key());
  const auto inconsistent = HasErrorCode(ErrorCode::KeyTypeInconsistent);
  EXPECT_THAT(backend().ecdh(p256, p384_public), inconsistent) << "curves differ";
  EXPECT_THAT(backend().ecdh(p384, p256_public), inconsistent) << "curves differ";
  EXPECT_THAT(backend().ecdh(p256_public, p256_public), inconsistent) << "no private key";
  EXPECT_THAT(backend().ecdh(rsa, p256_public), inconsistent);
  EXPECT_THAT(backend().ecdh(aes, p256_public), inconsistent);
  EXPECT_THAT(backend().ecdh(p256, aes), inconsistent);
}

// RFC 4231 test case 6: a 131-byte key (longer than the block, hashed first).
TEST_P(HmacConformance, MatchesRfc4231TestCase6) {
  ASSERT_OK_AND_ASSIGN(const Key key, Key::hmac(Bytes(131, 0xaa)));
  const Bytes message = bytes_of("Test Using Larger Than Block-Size Key - Hash Key First");
  const std::pair<HashAlg, const char*> vectors[] = {
      {HashAlg::Sha256, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {HashAlg::Sha384,
       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
       "0c2ef6ab4030fe8296248df163f44952"},
      {HashAlg::Sha512,
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
       "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
  };
  for (const auto& [hash, tag_hex] : vectors) {
    SCOPED_TRACE(hash_name(hash));
    EXPECT_THAT(backend().hmac(key, hash, message), HoldsBytes(from_hex(tag_hex)));
    EXPECT_THAT(backend().hmac_verify(key, hash, message, from_hex(tag_hex)), Verifies());
  }
}

TEST_P(HmacConformance, SignsAndVerifiesWithAKeyAsLongAsEachHash) {
  for (const HashAlg hash : kHashesBeyond224) {
    SCOPED_TRACE(hash_name(hash));
    ASSERT_OK_AND_ASSIGN(const Bytes key_bytes, backend().random(digest_size(hash)));
    ASSERT_OK_AND_ASSIGN(const Key key, Key::hmac(key_bytes));
    const Bytes message = bytes_of("message to authenticate");
    ASSERT_OK_AND_ASSIGN(const Bytes tag, backend().hmac(key, hash, message));
    EXPECT_EQ(tag.size(), digest_size(hash));
    EXPECT_THAT(backend().hmac(key, hash, message), HoldsBytes(tag)) << "deterministic";
    EXPECT_THAT(backend().hmac_verify(key, hash, message, tag), Verifies());
    EXPECT_THAT(backend().hmac(key, hash, Bytes{}), HoldsBytesOfSize(digest_size(hash)));
  }
}

// backend.h: "a tag of the wrong length is Invalid" — truncated tags are not accepted.
TEST_P(HmacConformance, AlteredTagOrMessageIsInvalidNotAnError) {
  ASSERT_OK_AND_ASSIGN(const Key key, Key::hmac(Bytes(64, 0x33)));
  const Bytes message = bytes_of("message to authenticate");
  for (const HashAlg hash : kHashesBeyond224) {
    SCOPED_TRACE(hash_name(hash));
    ASSERT_OK_AND_ASSIGN(const Bytes tag, backend().hmac(key, hash, message));
    EXPECT_THAT(backend().hmac_verify(key, hash, message, flip_bit(tag, 0)), IsInvalid());
    EXPECT_THAT(backend().hmac_verify(key, hash, message, flip_bit(tag, tag.size() - 1)),
                IsInvalid());
    EXPECT_THAT(backend().hmac_verify(key, hash, message, Bytes(tag.begin(), tag.begin() + 16)),
                IsInvalid())
        << "truncated tag";
    EXPECT_THAT(backend().hmac_verify(key, hash, message, concat(tag, Bytes{0})), IsInvalid());
    EXPECT_THAT(backend().hmac_verify(key, hash, message, Bytes{}), IsInvalid());
    EXPECT_THAT(backend().hmac_verify(key, hash, flip_bit(message, 0), tag), IsInvalid());
  }
}

TEST_P(HmacConformance, Sha224IsMechanismUnsupported) {
  ASSERT_OK_AND_ASSIGN(const Key key, Key::hmac(Bytes(64, 0x33)));
  EXPECT_THAT(backend().hmac(key, HashAlg::Sha224, bytes_of("m")),
              HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_THAT(backend().hmac_verify(key, HashAlg::Sha224, bytes_of("m"), Bytes(28, 0)),
              HasErrorCode(ErrorCode::MechanismUnsupported));
}

TEST_P(HmacConformance, KeysShorterThanTheHashWorkOrAreKeySizeRangePerCapabilities) {
  ASSERT_OK_AND_ASSIGN(const Key key, Key::hmac(Bytes(16, 0x0b)));
  for (const HashAlg hash : kHashesBeyond224) {
    SCOPED_TRACE(hash_name(hash));
    auto tag = backend().hmac(key, hash, bytes_of("m"));
    if (caps().accepts_hmac_key(16, hash)) {
      EXPECT_THAT(tag, HoldsBytesOfSize(digest_size(hash)));
    } else {
      EXPECT_THAT(tag, HasErrorCode(ErrorCode::KeySizeRange));
    }
  }
}

TEST_P(HmacConformance, OnlyHmacKeysAuthenticate) {
  ASSERT_OK_AND_ASSIGN(const Key aes, fresh_aes_key(32));
  ASSERT_OK_AND_ASSIGN(const Key ec, shared_key(KeyAlgorithm::EcP256));
  for (const Key& key : {aes, ec}) {
    SCOPED_TRACE(key.describe());
    EXPECT_THAT(backend().hmac(key, HashAlg::Sha256, bytes_of("m")),
                HasErrorCode(ErrorCode::KeyTypeInconsistent));
    EXPECT_THAT(backend().hmac_verify(key, HashAlg::Sha256, bytes_of("m"), Bytes(32, 0)),
                HasErrorCode(ErrorCode::KeyTypeInconsistent));
  }
}

CRATON_INSTANTIATE_OVER_BACKENDS(EcdhConformance);
CRATON_INSTANTIATE_OVER_BACKENDS(HmacConformance);

}  // namespace
}  // namespace craton::hsm::conformance
