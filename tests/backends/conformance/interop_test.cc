// SPDX-License-Identifier: Apache-2.0
// Interoperability: for every ordered pair of registered backends, what A produces B accepts
// (signatures, GCM, CBC, CTR, OAEP, key wrap, ECDH, HMAC); and signatures verify with the
// `openssl` command-line tool, an implementation none of the backends is.
#include <craton/hsm/backend.h>

#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/conformance/bytes.h"
#include "backends/conformance/conformance_matchers.h"
#include "backends/conformance/fixture.h"
#include "support/softhsm_token.h"
#include "support/text.h"

namespace craton::hsm::conformance {
namespace {

using hsm::testing::base64;
using BackendPair = std::tuple<BackendFactory, BackendFactory>;

// A produces, B consumes. Keys come from A's generate_key (material keys travel freely).
class Interop : public ::testing::TestWithParam<BackendPair> {
 protected:
  void SetUp() override {
    make(a_factory(), a_);
    if (!HasFatalFailure()) make(b_factory(), b_);
  }
  const BackendFactory& a_factory() const { return std::get<0>(GetParam()); }
  const BackendFactory& b_factory() const { return std::get<1>(GetParam()); }
  CryptoBackend& a() { return *a_; }
  CryptoBackend& b() { return *b_; }
  Result<Key> key_from_a(KeyAlgorithm algorithm) { return shared_key(a_factory(), *a_, algorithm); }
  bool both_have_ed25519() const {
    return a_factory().caps.ed25519_supported && b_factory().caps.ed25519_supported;
  }

 private:
  static void make(const BackendFactory& factory, std::unique_ptr<CryptoBackend>& slot) {
    auto made = factory.make();
    ASSERT_THAT(made, testing::IsOk()) << factory.name;
    slot = std::move(made).value();
  }

  std::unique_ptr<CryptoBackend> a_;
  std::unique_ptr<CryptoBackend> b_;
};

const Bytes kMessage = bytes_of("interoperable message");

TEST_P(Interop, SignedOnAVerifiesOnBForEverySchemeAndEncoding) {
  for (const SignScheme scheme : kAllSignSchemes) {
    if (scheme == SignScheme::Ed25519 && !both_have_ed25519()) continue;
    ASSERT_OK_AND_ASSIGN(const Key key, key_from_a(key_algorithm_for(scheme)));
    ASSERT_OK_AND_ASSIGN(const Key public_key, key.public_key());
    for (const SignatureEncoding encoding : encodings_for(scheme)) {
      SCOPED_TRACE(fmt::format("{} encoding {}", scheme_name(scheme), static_cast<int>(encoding)));
      ASSERT_OK_AND_ASSIGN(const Bytes signature, a().sign(key, scheme, kMessage, encoding));
      EXPECT_THAT(b().verify(public_key, scheme, kMessage, signature, encoding), Verifies());
      EXPECT_THAT(b().verify(key, scheme, kMessage, signature, encoding), Verifies());
      EXPECT_THAT(b().verify(public_key, scheme, bytes_of("other"), signature, encoding),
                  IsInvalid());
      if (scheme_has_prehash(scheme)) {
        ASSERT_OK_AND_ASSIGN(const Bytes digest, b().digest(scheme_hash(scheme), kMessage));
        EXPECT_THAT(b().verify_digest(public_key, scheme, digest, signature, encoding), Verifies());
      }
    }
  }
}

TEST_P(Interop, SymmetricCiphertextsFromADecryptOnB) {
  ASSERT_OK_AND_ASSIGN(const Key key, a().generate_key(KeyAlgorithm::Aes256));
  const Bytes aad = bytes_of("aad");
  const Bytes iv(16, 0x24);
  const Bytes plaintext = bytes_of("plaintext that spans more than one AES block");
  ASSERT_OK_AND_ASSIGN(const Bytes sealed, a().aes_gcm_encrypt(key, plaintext, aad));
  EXPECT_THAT(b().aes_gcm_decrypt(key, sealed, aad), HoldsBytes(plaintext)) << "GCM";
  ASSERT_OK_AND_ASSIGN(const Bytes cbc, a().aes_cbc_encrypt(key, iv, plaintext));
  EXPECT_THAT(b().aes_cbc_decrypt(key, iv, cbc), HoldsBytes(plaintext)) << "CBC";
  EXPECT_THAT(b().aes_cbc_encrypt(key, iv, plaintext), HoldsBytes(cbc)) << "CBC is deterministic";
  ASSERT_OK_AND_ASSIGN(const Bytes ctr, a().aes_ctr(key, iv, plaintext));
  EXPECT_THAT(b().aes_ctr(key, iv, ctr), HoldsBytes(plaintext)) << "CTR";
}

TEST_P(Interop, OaepFromADecryptsOnBForEveryHashBothSupport) {
  ASSERT_OK_AND_ASSIGN(const Key key, key_from_a(KeyAlgorithm::Rsa2048));
  ASSERT_OK_AND_ASSIGN(const Key public_key, key.public_key());
  const Bytes label = bytes_of("label");
  const Bytes secret(32, 0x42);
  for (const HashAlg hash : kHashesBeyond224) {
    if (!a_factory().caps.supports_oaep(hash) || !b_factory().caps.supports_oaep(hash)) continue;
    SCOPED_TRACE(hash_name(hash));
    ASSERT_OK_AND_ASSIGN(const Bytes ciphertext,
                         a().rsa_oaep_encrypt(public_key, hash, secret, label));
    EXPECT_THAT(b().rsa_oaep_decrypt(key, hash, ciphertext, label), HoldsBytes(secret));
  }
}

TEST_P(Interop, KeysWrappedOnAUnwrapOnB) {
  ASSERT_OK_AND_ASSIGN(const Key kek, a().generate_key(KeyAlgorithm::Aes192));
  const Bytes secret(32, 0x6b);
  ASSERT_OK_AND_ASSIGN(const Bytes wrapped,
                       a().wrap_key(kek, KeyWrapScheme::AesKw, SecretBytes(secret)));
  EXPECT_THAT(b().unwrap_key(kek, KeyWrapScheme::AesKw, wrapped), HoldsBytes(secret));
  EXPECT_THAT(b().wrap_key(kek, KeyWrapScheme::AesKw, SecretBytes(secret)), HoldsBytes(wrapped))
      << "KW is deterministic";
  if (a_factory().caps.kwp_supported && b_factory().caps.kwp_supported) {
    const Bytes odd(21, 0x6b);
    ASSERT_OK_AND_ASSIGN(const Bytes padded,
                         a().wrap_key(kek, KeyWrapScheme::AesKwp, SecretBytes(odd)));
    EXPECT_THAT(b().unwrap_key(kek, KeyWrapScheme::AesKwp, padded), HoldsBytes(odd));
  }
}

TEST_P(Interop, EcdhAgreesAcrossBackends) {
  for (const KeyAlgorithm algorithm : {KeyAlgorithm::EcP256, KeyAlgorithm::EcP384}) {
    SCOPED_TRACE(key_algorithm_name(algorithm));
    ASSERT_OK_AND_ASSIGN(const Key ours, a().generate_key(algorithm));
    ASSERT_OK_AND_ASSIGN(const Key theirs, b().generate_key(algorithm));
    ASSERT_OK_AND_ASSIGN(const Key our_public, ours.public_key());
    ASSERT_OK_AND_ASSIGN(const Key their_public, theirs.public_key());
    ASSERT_OK_AND_ASSIGN(const SecretBytes on_a, a().ecdh(ours, their_public));
    ASSERT_OK_AND_ASSIGN(const SecretBytes on_b, b().ecdh(theirs, our_public));
    ASSERT_OK_AND_ASSIGN(const SecretBytes same_side_on_b, b().ecdh(ours, their_public));
    EXPECT_TRUE(on_a.equals(on_b));
    EXPECT_TRUE(on_a.equals(same_side_on_b));
  }
}

TEST_P(Interop, HmacTagsFromAVerifyOnB) {
  ASSERT_OK_AND_ASSIGN(const Key key, Key::hmac(Bytes(64, 0x5f)));
  for (const HashAlg hash : kHashesBeyond224) {
    SCOPED_TRACE(hash_name(hash));
    ASSERT_OK_AND_ASSIGN(const Bytes tag, a().hmac(key, hash, kMessage));
    EXPECT_THAT(b().hmac_verify(key, hash, kMessage, tag), Verifies());
  }
}

std::vector<BackendPair> all_ordered_pairs() {
  std::vector<BackendPair> pairs;
  for (const BackendFactory& a : registered_backends()) {
    for (const BackendFactory& b : registered_backends()) pairs.emplace_back(a, b);
  }
  return pairs;
}

INSTANTIATE_TEST_SUITE_P(Pairs, Interop, ::testing::ValuesIn(all_ordered_pairs()),
                         [](const ::testing::TestParamInfo<BackendPair>& info) {
                           return std::get<0>(info.param).name + "_to_" +
                                  std::get<1>(info.param).name;
                         });

// ---- The openssl command-line tool as an independent verifier.

class OpensslCliVerifies : public BackendTest {
 protected:
  // Writes the public key as PEM, the message and the signature; returns the directory.
  void write_inputs(const Key& key, ByteView signature) {
    auto spki = key.public_spki_der();
    ASSERT_THAT(spki, testing::IsOk());
    std::string pem = "-----BEGIN PUBLIC KEY-----\n";
    const std::string body = base64(*spki);
    for (std::size_t at = 0; at < body.size(); at += 64) pem += body.substr(at, 64) + "\n";
    pem += "-----END PUBLIC KEY-----\n";
    dir_.write("pub.pem", pem);
    dir_.write("msg", std::string(kMessage.begin(), kMessage.end()));
    dir_.write("sig", std::string(signature.begin(), signature.end()));
  }
  std::string path(const char* name) const { return (dir_.path() / name).string(); }
  testing::CommandResult dgst_verify(const char* digest, const std::string& extra = "") {
    return testing::run_command(fmt::format("openssl dgst -{} {} -verify '{}' -signature '{}' '{}'",
                                            digest, extra, path("pub.pem"), path("sig"),
                                            path("msg")));
  }

  testing::TempDir dir_;
};

TEST_P(OpensslCliVerifies, EcdsaDerSignatures) {
  const std::pair<SignScheme, const char*> cases[] = {{SignScheme::EcdsaP256Sha256, "sha256"},
                                                      {SignScheme::EcdsaP384Sha384, "sha384"}};
  for (const auto& [scheme, digest] : cases) {
    SCOPED_TRACE(scheme_name(scheme));
    ASSERT_OK_AND_ASSIGN(const Key key, shared_key(key_algorithm_for(scheme)));
    ASSERT_OK_AND_ASSIGN(const Bytes signature,
                         backend().sign(key, scheme, kMessage, SignatureEncoding::Der));
    write_inputs(key, signature);
    const testing::CommandResult accepted = dgst_verify(digest);
    EXPECT_EQ(accepted.exit_code, 0) << accepted.output;
    EXPECT_THAT(accepted.output, ::testing::HasSubstr("Verified OK"));
    write_inputs(key, flip_bit(signature, signature.size() - 1));
    EXPECT_NE(dgst_verify(digest).exit_code, 0) << "openssl must reject a tampered signature";
  }
}

TEST_P(OpensslCliVerifies, RsaPkcs1AndPssSignatures) {
  ASSERT_OK_AND_ASSIGN(const Key key, shared_key(KeyAlgorithm::Rsa2048));
  const std::tuple<SignScheme, const char*, const char*> cases[] = {
      {SignScheme::RsaPkcs1v15Sha256, "sha256", ""},
      {SignScheme::RsaPkcs1v15Sha512, "sha512", ""},
      {SignScheme::RsaPssSha256, "sha256",
       "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256"},
      {SignScheme::RsaPssSha384, "sha384",
       "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48 -sigopt rsa_mgf1_md:sha384"},
  };
  for (const auto& [scheme, digest, options] : cases) {
    SCOPED_TRACE(scheme_name(scheme));
    ASSERT_OK_AND_ASSIGN(const Bytes signature, backend().sign(key, scheme, kMessage));
    write_inputs(key, signature);
    const testing::CommandResult result = dgst_verify(digest, options);
    EXPECT_EQ(result.exit_code, 0) << result.output;
  }
}

TEST_P(OpensslCliVerifies, Ed25519Signatures) {
  if (!caps().ed25519_supported) GTEST_SKIP() << "no Ed25519 on " << GetParam().name;
  ASSERT_OK_AND_ASSIGN(const Key key, shared_key(KeyAlgorithm::Ed25519));
  ASSERT_OK_AND_ASSIGN(const Bytes signature, backend().sign(key, SignScheme::Ed25519, kMessage));
  write_inputs(key, signature);
  const testing::CommandResult result = testing::run_command(
      fmt::format("openssl pkeyutl -verify -pubin -inkey '{}' -rawin -in '{}' -sigfile '{}'",
                  path("pub.pem"), path("msg"), path("sig")));
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

CRATON_INSTANTIATE_OVER_BACKENDS(OpensslCliVerifies);

}  // namespace
}  // namespace craton::hsm::conformance
