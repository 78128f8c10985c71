// SPDX-License-Identifier: Apache-2.0
// Every operation checks the capability table before it asks the token: with its mechanism
// hidden by the fault shim, each answers MechanismUnsupported naming the mechanism, and the
// token sees no call at all (no *Init, derive, wrap, unwrap, generate or key import). With a
// mechanism listed for one direction only, that direction's row decides.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

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

// The keys the operations take; RSA only where a case needs it (generated on the token).
struct Keys {
  std::optional<Key> aes;
  std::optional<Key> hmac;
  std::optional<Key> ec;
  std::optional<Key> ec_peer;
  std::optional<Key> rsa;
};

// Drops the value: the cases compare only the error.
template <typename T>
Result<void> status(const Result<T>& result) {
  if (result) return {};
  return std::unexpected(result.error());
}

struct Case {
  const char* name;
  CK_MECHANISM_TYPE hidden;
  const char* mechanism;  // as the error message must name it
  bool needs_rsa;
  std::function<Result<void>(Pkcs11PassthroughBackend&, const Keys&)> run;
};

// gtest names a failing case by this, not by a dump of its bytes.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

const std::vector<std::uint8_t> kMessage{'m', 'e', 'c', 'h'};
const std::vector<std::uint8_t> kIv(16, 0x24);

std::vector<Case> cases() {
  using B = Pkcs11PassthroughBackend;
  return {
      {"AesGcmEncrypt", CKM_AES_GCM, "CKM_AES_GCM", false,
       [](B& b, const Keys& k) { return status(b.aes_gcm_encrypt(*k.aes, kMessage, kMessage)); }},
      {"AesGcmDecrypt", CKM_AES_GCM, "CKM_AES_GCM", false,
       [](B& b, const Keys& k) {
         return status(b.aes_gcm_decrypt(*k.aes, std::vector<std::uint8_t>(40, 0), kMessage));
       }},
      {"AesCbcEncrypt", CKM_AES_CBC_PAD, "CKM_AES_CBC_PAD", false,
       [](B& b, const Keys& k) { return status(b.aes_cbc_encrypt(*k.aes, kIv, kMessage)); }},
      {"AesCbcDecrypt", CKM_AES_CBC_PAD, "CKM_AES_CBC_PAD", false,
       [](B& b, const Keys& k) {
         return status(b.aes_cbc_decrypt(*k.aes, kIv, std::vector<std::uint8_t>(32, 0)));
       }},
      {"AesCtr", CKM_AES_CTR, "CKM_AES_CTR", false,
       [](B& b, const Keys& k) { return status(b.aes_ctr(*k.aes, kIv, kMessage)); }},
      {"Hmac", CKM_SHA256_HMAC, "CKM_SHA256_HMAC", false,
       [](B& b, const Keys& k) { return status(b.hmac(*k.hmac, HashAlg::Sha256, kMessage)); }},
      {"HmacVerify", CKM_SHA512_HMAC, "CKM_SHA512_HMAC", false,
       [](B& b, const Keys& k) {
         return status(b.hmac_verify(*k.hmac, HashAlg::Sha512, kMessage, kMessage));
       }},
      {"Ecdh", CKM_ECDH1_DERIVE, "CKM_ECDH1_DERIVE", false,
       [](B& b, const Keys& k) { return status(b.ecdh(*k.ec, *k.ec_peer)); }},
      {"WrapKw", CKM_AES_KEY_WRAP, "CKM_AES_KEY_WRAP", false,
       [](B& b, const Keys& k) {
         return status(b.wrap_key(*k.aes, KeyWrapScheme::AesKw, SecretBytes(kIv)));
       }},
      {"UnwrapKw", CKM_AES_KEY_WRAP, "CKM_AES_KEY_WRAP", false,
       [](B& b, const Keys& k) {
         return status(
             b.unwrap_key(*k.aes, KeyWrapScheme::AesKw, std::vector<std::uint8_t>(24, 0)));
       }},
      {"WrapKwp", kCkmAesKeyWrapKwp, "CKM_AES_KEY_WRAP_KWP", false,
       [](B& b, const Keys& k) {
         return status(b.wrap_key(*k.aes, KeyWrapScheme::AesKwp, SecretBytes(kMessage)));
       }},
      {"RsaOaepEncrypt", CKM_RSA_PKCS_OAEP, "CKM_RSA_PKCS_OAEP", true,
       [](B& b, const Keys& k) {
         return status(b.rsa_oaep_encrypt(*k.rsa, HashAlg::Sha256, kMessage, {}));
       }},
      {"RsaOaepDecrypt", CKM_RSA_PKCS_OAEP, "CKM_RSA_PKCS_OAEP", true,
       [](B& b, const Keys& k) {
         return status(
             b.rsa_oaep_decrypt(*k.rsa, HashAlg::Sha256, std::vector<std::uint8_t>(256, 1), {}));
       }},
      {"Digest", CKM_SHA256, "CKM_SHA256", false,
       [](B& b, const Keys&) { return status(b.digest(HashAlg::Sha256, kMessage)); }},
      {"DigestStream", CKM_SHA384, "CKM_SHA384", false,
       [](B& b, const Keys&) { return status(b.digest_stream(HashAlg::Sha384)); }},
      {"EcdsaSign", CKM_ECDSA, "CKM_ECDSA", false,
       [](B& b, const Keys& k) {
         return status(
             b.sign(*k.ec, SignScheme::EcdsaP256Sha256, kMessage, SignatureEncoding::Raw));
       }},
      {"EcdsaVerify", CKM_ECDSA, "CKM_ECDSA", false,
       [](B& b, const Keys& k) {
         return status(b.verify(*k.ec, SignScheme::EcdsaP256Sha256, kMessage,
                                std::vector<std::uint8_t>(64, 1), SignatureEncoding::Raw));
       }},
      {"KeygenAes", CKM_AES_KEY_GEN, "CKM_AES_KEY_GEN", false,
       [](B& b, const Keys&) { return status(b.generate_key(KeyAlgorithm::Aes256)); }},
      {"KeygenHmac", CKM_GENERIC_SECRET_KEY_GEN, "CKM_GENERIC_SECRET_KEY_GEN", false,
       [](B& b, const Keys&) { return status(b.generate_key(KeyAlgorithm::Hmac256)); }},
      {"KeygenRsa", CKM_RSA_PKCS_KEY_PAIR_GEN, "CKM_RSA_PKCS_KEY_PAIR_GEN", false,
       [](B& b, const Keys&) { return status(b.generate_key(KeyAlgorithm::Rsa2048)); }},
      {"KeygenEc", CKM_EC_KEY_PAIR_GEN, "CKM_EC_KEY_PAIR_GEN", false,
       [](B& b, const Keys&) { return status(b.generate_key(KeyAlgorithm::EcP256)); }},
      {"KeygenEd25519", CKM_EC_EDWARDS_KEY_PAIR_GEN, "CKM_EC_EDWARDS_KEY_PAIR_GEN", false,
       [](B& b, const Keys&) { return status(b.generate_key(KeyAlgorithm::Ed25519)); }},
  };
}

// Every call that starts work on the token or puts a key there.
constexpr const char* kTokenWork[] = {"C_EncryptInit",     "C_DecryptInit",  "C_SignInit",
                                      "C_VerifyInit",      "C_DigestInit",   "C_DeriveKey",
                                      "C_WrapKey",         "C_UnwrapKey",    "C_GenerateKey",
                                      "C_GenerateKeyPair", "C_CreateObject", "C_GenerateRandom"};

class MissingMechanismTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    // Capabilities are read when the backend is created: hide first.
    shim_.set("hide_mechanism", GetParam().hidden);
    Pkcs11PassthroughConfig config = fault_shim_config();
    config.pool_size = 1;
    auto created = Pkcs11PassthroughBackend::create(std::move(config));
    ASSERT_THAT(created, IsOk());
    backend_ = std::move(*created);
    ASSERT_FALSE(backend_->token_capabilities().has(GetParam().hidden));

    auto aes = Key::aes(std::vector<std::uint8_t>(32, 0x5a));
    auto hmac = Key::hmac(std::vector<std::uint8_t>(64, 0x3c));
    auto ec = Key::ec_private(EcCurve::P256, std::vector<std::uint8_t>(32, 0x11));
    auto other = Key::ec_private(EcCurve::P256, std::vector<std::uint8_t>(32, 0x22));
    ASSERT_THAT(aes, IsOk());
    ASSERT_THAT(hmac, IsOk());
    ASSERT_THAT(ec, IsOk());
    ASSERT_THAT(other, IsOk());
    auto peer = other->public_key();
    ASSERT_THAT(peer, IsOk());
    keys_.aes = std::move(*aes);
    keys_.hmac = std::move(*hmac);
    keys_.ec = std::move(*ec);
    keys_.ec_peer = std::move(*peer);
    if (GetParam().needs_rsa) {
      auto rsa = backend_->generate_key(KeyAlgorithm::Rsa2048);
      ASSERT_THAT(rsa, IsOk());
      keys_.rsa = std::move(*rsa);
    }
  }

  FaultShim shim_;
  std::unique_ptr<Pkcs11PassthroughBackend> backend_;
  Keys keys_;
};

TEST_P(MissingMechanismTest, IsMechanismUnsupportedBeforeAnyTokenCall) {
  std::vector<unsigned long> before;
  for (const char* function : kTokenWork) before.push_back(shim_.calls(function));
  const unsigned long calls_before = shim_.stats().calls;

  const Result<void> outcome = GetParam().run(*backend_, keys_);

  ASSERT_THAT(outcome, HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_NE(outcome.error().message().find(GetParam().mechanism), std::string::npos)
      << outcome.error().message();
  EXPECT_NE(outcome.error().message().find("token"), std::string::npos)
      << outcome.error().message();
  for (std::size_t i = 0; i < std::size(kTokenWork); ++i) {
    EXPECT_EQ(shim_.calls(kTokenWork[i]), before[i]) << kTokenWork[i];
  }
  EXPECT_EQ(shim_.stats().calls, calls_before) << "the token was asked";
}

INSTANTIATE_TEST_SUITE_P(EveryFamily, MissingMechanismTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.name);
                         });

// A mechanism the token lists for one direction only (C_GetMechanismInfo without CKF_DECRYPT
// or CKF_UNWRAP): that direction reads its own capability row and is refused before any token
// call, while the other still works. SoftHSM2 itself would do both, so a backend that only
// checks "listed" passes the refused direction through to the token and succeeds.
class OneDirectionTest : public ::testing::Test {
 protected:
  void make(CK_MECHANISM_TYPE mechanism, CK_FLAGS removed) {
    shim_.set("unflag_mechanism", mechanism);
    shim_.set("unflag_bits", removed);
    Pkcs11PassthroughConfig config = fault_shim_config();
    config.pool_size = 1;
    auto created = Pkcs11PassthroughBackend::create(std::move(config));
    ASSERT_THAT(created, IsOk());
    backend_ = std::move(*created);
    ASSERT_TRUE(backend_->token_capabilities().has(mechanism));
  }

  FaultShim shim_;
  std::unique_ptr<Pkcs11PassthroughBackend> backend_;
  const Key key_ = Key::aes(std::vector<std::uint8_t>(32, 0x5a)).value();
};

TEST_F(OneDirectionTest, GcmListedForEncryptionOnlyRefusesDecryption) {
  make(CKM_AES_GCM, CKF_DECRYPT);
  auto sealed = backend_->aes_gcm_encrypt(key_, kMessage, {});
  ASSERT_THAT(sealed, IsOk());
  const unsigned long inits = shim_.calls("C_DecryptInit");
  const auto opened = backend_->aes_gcm_decrypt(key_, *sealed, {});
  ASSERT_THAT(opened, HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_NE(opened.error().message().find("AES-GCM decrypt"), std::string::npos)
      << opened.error().message();
  EXPECT_NE(opened.error().message().find("CKF_DECRYPT"), std::string::npos)
      << opened.error().message();
  EXPECT_EQ(shim_.calls("C_DecryptInit"), inits) << "the token was asked";
}

TEST_F(OneDirectionTest, KeyWrapListedForWrappingOnlyRefusesUnwrapping) {
  make(CKM_AES_KEY_WRAP, CKF_UNWRAP);
  auto wrapped = backend_->wrap_key(key_, KeyWrapScheme::AesKw, SecretBytes(kIv));
  ASSERT_THAT(wrapped, IsOk());
  const unsigned long unwraps = shim_.calls("C_UnwrapKey");
  const auto unwrapped = backend_->unwrap_key(key_, KeyWrapScheme::AesKw, *wrapped);
  ASSERT_THAT(unwrapped, HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_NE(unwrapped.error().message().find("AES-KW unwrap"), std::string::npos)
      << unwrapped.error().message();
  EXPECT_EQ(shim_.calls("C_UnwrapKey"), unwraps) << "the token was asked";
}

TEST_F(OneDirectionTest, KeyWrapListedForUnwrappingOnlyRefusesWrapping) {
  make(CKM_AES_KEY_WRAP, CKF_WRAP);
  const unsigned long creates = shim_.calls("C_CreateObject");
  const auto wrapped = backend_->wrap_key(key_, KeyWrapScheme::AesKw, SecretBytes(kIv));
  ASSERT_THAT(wrapped, HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_NE(wrapped.error().message().find("AES-KW wrap"), std::string::npos)
      << wrapped.error().message();
  EXPECT_EQ(shim_.calls("C_CreateObject"), creates) << "the key to wrap went to the token";
}

}  // namespace
}  // namespace craton::hsm::pkcs11
