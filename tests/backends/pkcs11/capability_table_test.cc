// SPDX-License-Identifier: Apache-2.0
// The capability table (docs/vendors.md, "The capability table"): with a combined mechanism
// hidden by the fault shim, signatures take the host-prehash route and give the same bits
// (PKCS#1 v1.5) or cross-verify (PSS) with the token's combined mechanism; schemes with no
// equivalent are MechanismUnsupported naming the scheme and the token before any token call;
// mechanism info without the flag for a use, or with a key-size range that excludes the key,
// makes a row unsupported (from fabricated C_GetMechanismInfo answers: the shim cannot fake
// those); resident key generation checks its row.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <craton/hsm/capabilities.h>

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/pkcs11/capability_table.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "backends/pkcs11/resident_test_util.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::testing::HasSubstr;

// Every call that starts work on the token or puts a key there.
constexpr const char* kTokenWork[] = {"C_EncryptInit",     "C_DecryptInit",  "C_SignInit",
                                      "C_VerifyInit",      "C_DigestInit",   "C_DeriveKey",
                                      "C_WrapKey",         "C_UnwrapKey",    "C_GenerateKey",
                                      "C_GenerateKeyPair", "C_CreateObject", "C_FindObjectsInit"};

// By value: the table is often a temporary.
std::optional<SchemeCapability> row_of(const TokenCapabilities& table, std::string_view scheme,
                                       std::string_view operation) {
  const auto found =
      std::find_if(table.schemes.begin(), table.schemes.end(), [&](const SchemeCapability& row) {
        return row.scheme == scheme && row.operation == operation;
      });
  if (found == table.schemes.end()) return std::nullopt;
  return *found;
}

std::unique_ptr<Pkcs11PassthroughBackend> make_backend() {
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.pool_size = 1;
  auto created = Pkcs11PassthroughBackend::create(std::move(config));
  EXPECT_THAT(created, IsOk());
  return created ? std::move(*created) : nullptr;
}

class CapabilityTableTest : public ::testing::Test {
 protected:
  // `native` sees every mechanism; `prehash` is created with `hidden` gone from the list. The
  // shim hides mechanisms from the list only: `native` still uses the combined one.
  void make_pair(CK_MECHANISM_TYPE hidden) {
    native_ = make_backend();
    ASSERT_NE(native_, nullptr);
    shim_.set("hide_mechanism", hidden);
    prehash_ = make_backend();
    ASSERT_NE(prehash_, nullptr);
    ASSERT_TRUE(native_->token_capabilities().has(hidden));
    ASSERT_FALSE(prehash_->token_capabilities().has(hidden));
  }
  Key rsa_key() {
    auto key = native_->generate_key(KeyAlgorithm::Rsa2048);
    EXPECT_THAT(key, IsOk());
    return *key;
  }
  void expect_calls_unchanged(const std::vector<unsigned long>& before, unsigned long total) {
    for (std::size_t i = 0; i < std::size(kTokenWork); ++i) {
      EXPECT_EQ(shim_.calls(kTokenWork[i]), before[i]) << kTokenWork[i];
    }
    EXPECT_EQ(shim_.stats().calls, total) << "the token was asked";
  }
  std::vector<unsigned long> token_work() const {
    std::vector<unsigned long> counts;
    for (const char* function : kTokenWork) counts.push_back(shim_.calls(function));
    return counts;
  }

  FaultShim shim_;
  std::unique_ptr<Pkcs11PassthroughBackend> native_;
  std::unique_ptr<Pkcs11PassthroughBackend> prehash_;
  const std::vector<std::uint8_t> message_{'c', 'a', 'p', 'a', 'b', 'l', 'e'};
};

TEST_F(CapabilityTableTest, Pkcs1v15ByHostPrehashIsByteIdenticalToTheCombinedMechanism) {
  make_pair(CKM_SHA256_RSA_PKCS);
  const std::optional<SchemeCapability> native_row =
      row_of(native_->capabilities(), "RSA-PKCS1v15-SHA256", "sign");
  const std::optional<SchemeCapability> prehash_row =
      row_of(prehash_->capabilities(), "RSA-PKCS1v15-SHA256", "sign");
  ASSERT_TRUE(native_row.has_value());
  ASSERT_TRUE(prehash_row.has_value());
  EXPECT_EQ(native_row->how, CapabilityHow::Token);
  EXPECT_EQ(native_row->mechanism, "CKM_SHA256_RSA_PKCS");
  EXPECT_TRUE(prehash_row->supported);
  EXPECT_EQ(prehash_row->how, CapabilityHow::HostPrehash);
  EXPECT_EQ(prehash_row->mechanism, "CKM_RSA_PKCS");
  EXPECT_EQ(row_of(prehash_->capabilities(), "RSA-PKCS1v15-SHA256", "verify")->how,
            CapabilityHow::HostPrehash);

  const Key key = rsa_key();
  for (const std::vector<std::uint8_t>& message :
       {message_, std::vector<std::uint8_t>{}, std::vector<std::uint8_t>(1000, 0xa5)}) {
    auto by_token =
        native_->sign(key, SignScheme::RsaPkcs1v15Sha256, message, SignatureEncoding::Raw);
    auto by_host =
        prehash_->sign(key, SignScheme::RsaPkcs1v15Sha256, message, SignatureEncoding::Raw);
    ASSERT_THAT(by_token, IsOk());
    ASSERT_THAT(by_host, IsOk());
    EXPECT_EQ(*by_token, *by_host) << "PKCS#1 v1.5 is deterministic: the bits must match";
    auto verified = prehash_->verify(key, SignScheme::RsaPkcs1v15Sha256, message, *by_token,
                                     SignatureEncoding::Raw);
    ASSERT_THAT(verified, IsOk());
    EXPECT_EQ(*verified, VerifyOutcome::Valid);
    by_host->front() ^= 0x01;
    auto forged = prehash_->verify(key, SignScheme::RsaPkcs1v15Sha256, message, *by_host,
                                   SignatureEncoding::Raw);
    ASSERT_THAT(forged, IsOk());
    EXPECT_EQ(*forged, VerifyOutcome::Invalid);
  }
}

TEST_F(CapabilityTableTest, PssByHostPrehashAndByTheCombinedMechanismVerifyEachOther) {
  make_pair(CKM_SHA256_RSA_PKCS_PSS);
  const std::optional<SchemeCapability> row =
      row_of(prehash_->capabilities(), "RSA-PSS-SHA256", "sign");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->how, CapabilityHow::HostPrehash);
  EXPECT_EQ(row->mechanism, "CKM_RSA_PKCS_PSS");
  EXPECT_EQ(row_of(native_->capabilities(), "RSA-PSS-SHA256", "sign")->how, CapabilityHow::Token);

  const Key key = rsa_key();
  auto by_token = native_->sign(key, SignScheme::RsaPssSha256, message_, SignatureEncoding::Raw);
  auto by_host = prehash_->sign(key, SignScheme::RsaPssSha256, message_, SignatureEncoding::Raw);
  ASSERT_THAT(by_token, IsOk());
  ASSERT_THAT(by_host, IsOk());
  auto host_checks_token =
      prehash_->verify(key, SignScheme::RsaPssSha256, message_, *by_token, SignatureEncoding::Raw);
  auto token_checks_host =
      native_->verify(key, SignScheme::RsaPssSha256, message_, *by_host, SignatureEncoding::Raw);
  ASSERT_THAT(host_checks_token, IsOk());
  ASSERT_THAT(token_checks_host, IsOk());
  EXPECT_EQ(*host_checks_token, VerifyOutcome::Valid);
  EXPECT_EQ(*token_checks_host, VerifyOutcome::Valid);
  // And a different message is refused both ways.
  const std::vector<std::uint8_t> other{'o', 't', 'h', 'e', 'r'};
  auto wrong =
      native_->verify(key, SignScheme::RsaPssSha256, other, *by_host, SignatureEncoding::Raw);
  ASSERT_THAT(wrong, IsOk());
  EXPECT_EQ(*wrong, VerifyOutcome::Invalid);
}

TEST_F(CapabilityTableTest, EcdsaOnSoftHsmIsHostPrehashBecauseItHasNoCombinedMechanism) {
  native_ = make_backend();
  ASSERT_NE(native_, nullptr);
  ASSERT_FALSE(native_->token_capabilities().has(CKM_ECDSA_SHA256));
  const std::optional<SchemeCapability> row =
      row_of(native_->capabilities(), "ECDSA-P256-SHA256", "sign");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->how, CapabilityHow::HostPrehash);
  EXPECT_EQ(row->mechanism, "CKM_ECDSA");
  const std::optional<SchemeCapability> digest =
      row_of(native_->capabilities(), "ECDSA-P256-SHA256", "sign-digest");
  ASSERT_TRUE(digest.has_value());
  EXPECT_EQ(digest->how, CapabilityHow::Token);
}

TEST_F(CapabilityTableTest, OaepWithoutTheMechanismIsUnsupportedNamingSchemeAndTokenUntouched) {
  make_pair(CKM_RSA_PKCS_OAEP);
  const Key key = rsa_key();
  const std::optional<SchemeCapability> row =
      row_of(prehash_->capabilities(), "RSA-OAEP-SHA-256", "encrypt");
  ASSERT_TRUE(row.has_value());
  EXPECT_FALSE(row->supported);
  EXPECT_EQ(row->how, CapabilityHow::Unsupported);
  EXPECT_THAT(row->reason, HasSubstr("CKM_RSA_PKCS_OAEP"));

  const std::vector<unsigned long> before = token_work();
  const unsigned long total = shim_.stats().calls;
  auto encrypted = prehash_->rsa_oaep_encrypt(key, HashAlg::Sha256, message_, {});
  ASSERT_THAT(encrypted, HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_THAT(encrypted.error().message(), HasSubstr("RSA-OAEP-SHA-256"));
  EXPECT_THAT(encrypted.error().message(), HasSubstr("ci-token"));
  EXPECT_THAT(encrypted.error().message(), HasSubstr("CKM_RSA_PKCS_OAEP"));
  auto decrypted =
      prehash_->rsa_oaep_decrypt(key, HashAlg::Sha256, std::vector<std::uint8_t>(256, 1), {});
  ASSERT_THAT(decrypted, HasErrorCode(ErrorCode::MechanismUnsupported));
  expect_calls_unchanged(before, total);
}

TEST_F(CapabilityTableTest, OaepSha256OnSoftHsmIsUnsupportedNeverOaepSha1) {
  native_ = make_backend();
  ASSERT_NE(native_, nullptr);
  ASSERT_TRUE(native_->token_capabilities().has(CKM_RSA_PKCS_OAEP));
  const Key key = rsa_key();
  for (const HashAlg hash : {HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512}) {
    const std::string scheme = fmt::format("RSA-OAEP-{}", hash_name(hash));
    const std::optional<SchemeCapability> row = row_of(native_->capabilities(), scheme, "encrypt");
    ASSERT_TRUE(row.has_value()) << scheme;
    EXPECT_EQ(row->how, CapabilityHow::Unsupported) << scheme;
    EXPECT_THAT(row->reason, HasSubstr("SHA-1 only")) << scheme;
  }
  const std::vector<unsigned long> before = token_work();
  const unsigned long total = shim_.stats().calls;
  auto encrypted = native_->rsa_oaep_encrypt(key, HashAlg::Sha256, message_, {});
  ASSERT_THAT(encrypted, HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_THAT(encrypted.error().message(), HasSubstr("RSA-OAEP-SHA-256"));
  EXPECT_THAT(encrypted.error().message(), HasSubstr("token 'ci-token'"));
  expect_calls_unchanged(before, total);
}

TEST_F(CapabilityTableTest, ResidentKeyGenerationChecksItsRowBeforeTheToken) {
  shim_.set("hide_mechanism", CKM_EC_KEY_PAIR_GEN);
  auto backend = make_resident_backend(/*through_fault_shim=*/true);
  ASSERT_NE(backend, nullptr);
  const std::vector<unsigned long> before = token_work();
  const unsigned long total = shim_.stats().calls;
  auto generated = backend->generate_resident_key(unique_spec(KeyAlgorithm::EcP256, "caps-ec"));
  ASSERT_THAT(generated, HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_THAT(generated.error().message(), HasSubstr("CKM_EC_KEY_PAIR_GEN"));
  EXPECT_THAT(generated.error().message(), HasSubstr("ci-token"));
  expect_calls_unchanged(before, total);
  const std::optional<SchemeCapability> row =
      row_of(backend->capabilities(), "EC-P256", "generate");
  ASSERT_TRUE(row.has_value());
  EXPECT_FALSE(row->supported);
}

TEST_F(CapabilityTableTest, DescribeTokenCapabilitiesMatchesTheBackendsWithoutALogin) {
  native_ = make_backend();
  ASSERT_NE(native_, nullptr);
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.user_pin.reset();
  const unsigned long logins = shim_.calls("C_Login");
  auto described = describe_token_capabilities(config);
  ASSERT_THAT(described, IsOk());
  EXPECT_EQ(shim_.calls("C_Login"), logins);
  const TokenCapabilities from_backend = native_->capabilities();
  ASSERT_EQ(described->schemes.size(), from_backend.schemes.size());
  for (std::size_t i = 0; i < described->schemes.size(); ++i) {
    EXPECT_EQ(described->schemes[i].scheme, from_backend.schemes[i].scheme);
    EXPECT_EQ(described->schemes[i].operation, from_backend.schemes[i].operation);
    EXPECT_EQ(described->schemes[i].how, from_backend.schemes[i].how)
        << described->schemes[i].scheme;
  }
  EXPECT_EQ(described->token_label, "ci-token");
  EXPECT_EQ(described->session_objects, "kept");
  EXPECT_EQ(from_backend.session_objects, "kept");
  EXPECT_EQ(shim_.stats().live_objects, 0UL) << "the probe left an object behind";
}

// ---- The rule, on fabricated C_GetMechanismInfo answers ---------------------------------------

Pkcs11MechanismInfo info(CK_MECHANISM_TYPE type, CK_FLAGS flags, CK_ULONG min = 0,
                         CK_ULONG max = 0) {
  Pkcs11MechanismInfo mechanism;
  mechanism.type = type;
  mechanism.min_key_size = min;
  mechanism.max_key_size = max;
  mechanism.flags = flags;
  return mechanism;
}

CapabilityTable table_of(const std::vector<Pkcs11MechanismInfo>& mechanisms) {
  return CapabilityTable::build(mechanisms, TokenFacts{.token_label = "hsm-a",
                                                       .token_manufacturer = "Vendor Inc",
                                                       .library_manufacturer = "Vendor"});
}

TEST(CapabilityRuleTest, AMechanismWithoutTheFlagForTheUseIsNotUsedForIt) {
  // The combined mechanism verifies only: signing falls back to the raw one, verifying uses it.
  const CapabilityTable table = table_of({info(CKM_SHA256_RSA_PKCS, CKF_VERIFY, 1024, 4096),
                                          info(CKM_RSA_PKCS, CKF_SIGN | CKF_VERIFY, 1024, 4096)});
  const Choice& sign = table.at(sign_row(SignScheme::RsaPkcs1v15Sha256, SignInput::Message, false));
  EXPECT_EQ(sign.how, CapabilityHow::HostPrehash);
  EXPECT_EQ(sign.mechanism, CKM_RSA_PKCS);
  const Choice& verify =
      table.at(sign_row(SignScheme::RsaPkcs1v15Sha256, SignInput::Message, true));
  EXPECT_EQ(verify.how, CapabilityHow::Token);
  EXPECT_EQ(verify.mechanism, CKM_SHA256_RSA_PKCS);

  // Neither can sign: unsupported, and the reason says why, naming scheme and token.
  const CapabilityTable verify_only =
      table_of({info(CKM_SHA256_RSA_PKCS, CKF_VERIFY), info(CKM_RSA_PKCS, CKF_VERIFY)});
  const std::size_t row = sign_row(SignScheme::RsaPkcs1v15Sha256, SignInput::Message, false);
  const Result<void> refused = verify_only.require(row);
  ASSERT_THAT(refused, HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_THAT(refused.error().message(), HasSubstr("RSA-PKCS1v15-SHA256 sign"));
  EXPECT_THAT(refused.error().message(), HasSubstr("token 'hsm-a' (Vendor Inc)"));
  EXPECT_THAT(refused.error().message(), HasSubstr("without CKF_SIGN"));

  // Digests, encryption, wrapping and generation read their own flags.
  const CapabilityTable mixed = table_of(
      {info(CKM_SHA256, CKF_ENCRYPT), info(CKM_AES_GCM, CKF_ENCRYPT),
       info(CKM_AES_KEY_WRAP, CKF_UNWRAP), info(CKM_AES_KEY_GEN, CKF_GENERATE_KEY_PAIR, 16, 32)});
  EXPECT_EQ(mixed.at(digest_row(HashAlg::Sha256)).how, CapabilityHow::Unsupported);
  EXPECT_EQ(mixed.at(aes_row(AesMode::Gcm, false)).how, CapabilityHow::Token);
  EXPECT_EQ(mixed.at(aes_row(AesMode::Gcm, true)).how, CapabilityHow::Unsupported);
  EXPECT_EQ(mixed.at(wrap_row(KeyWrapScheme::AesKw, false)).how, CapabilityHow::Unsupported);
  EXPECT_EQ(mixed.at(wrap_row(KeyWrapScheme::AesKw, true)).how, CapabilityHow::Token);
  EXPECT_EQ(mixed.at(keygen_row(KeyAlgorithm::Aes256)).how, CapabilityHow::Unsupported);
}

TEST(CapabilityRuleTest, AKeySizeRangeThatExcludesTheKeyMakesTheRowUnsupported) {
  const CapabilityTable table =
      table_of({info(CKM_ECDSA, CKF_SIGN | CKF_VERIFY, 256, 256),
                info(CKM_EC_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR, 256, 256),
                info(CKM_AES_KEY_GEN, CKF_GENERATE, 16, 16),
                info(CKM_SHA256_RSA_PKCS, CKF_SIGN, 2048, 3072)});
  EXPECT_EQ(table.at(sign_row(SignScheme::EcdsaP256Sha256, SignInput::Message, false)).how,
            CapabilityHow::HostPrehash);
  const std::size_t p384 = sign_row(SignScheme::EcdsaP384Sha384, SignInput::Message, false);
  EXPECT_EQ(table.at(p384).how, CapabilityHow::Unsupported);
  const Result<void> refused = table.require(p384);
  ASSERT_THAT(refused, HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_THAT(refused.error().message(), HasSubstr("256..256 bits, not 384"));
  EXPECT_EQ(table.at(keygen_row(KeyAlgorithm::EcP256)).how, CapabilityHow::Token);
  EXPECT_EQ(table.at(keygen_row(KeyAlgorithm::EcP384)).how, CapabilityHow::Unsupported);
  EXPECT_EQ(table.at(keygen_row(KeyAlgorithm::Aes128)).how, CapabilityHow::Token);
  EXPECT_EQ(table.at(keygen_row(KeyAlgorithm::Aes256)).how, CapabilityHow::Unsupported);

  // RSA: the range is checked per key.
  const std::size_t rsa = sign_row(SignScheme::RsaPkcs1v15Sha256, SignInput::Message, false);
  EXPECT_EQ(table.at(rsa).how, CapabilityHow::Token);
  EXPECT_THAT(table.require_key_size(rsa, 2048), IsOk());
  EXPECT_THAT(table.require_key_size(rsa, 3072), IsOk());
  const Result<void> too_big = table.require_key_size(rsa, 4096);
  ASSERT_THAT(too_big, HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_THAT(too_big.error().message(), HasSubstr("2048..3072 bits, not 4096"));
}

TEST(CapabilityRuleTest, TheCombinedMechanismIsPreferredAndNothingIsInventedWithoutEither) {
  const CapabilityTable nss_like = table_of(
      {info(CKM_ECDSA, CKF_SIGN | CKF_VERIFY), info(CKM_ECDSA_SHA256, CKF_SIGN | CKF_VERIFY)});
  const Choice& ecdsa =
      nss_like.at(sign_row(SignScheme::EcdsaP256Sha256, SignInput::Message, false));
  EXPECT_EQ(ecdsa.how, CapabilityHow::Token);
  EXPECT_EQ(ecdsa.mechanism, CKM_ECDSA_SHA256);
  // No CKM_ECDSA_SHA384: P-384 takes the host-prehash route.
  EXPECT_EQ(nss_like.at(sign_row(SignScheme::EcdsaP384Sha384, SignInput::Message, false)).how,
            CapabilityHow::HostPrehash);

  // Nothing listed: every row unsupported, none of them done some other way.
  const CapabilityTable empty = table_of({});
  for (std::size_t row = 0; row < capability_index::kCount; ++row) {
    EXPECT_EQ(empty.at(row).how, CapabilityHow::Unsupported) << row;
    EXPECT_FALSE(empty.require(row)) << row;
  }
  // OAEP with SHA-2 on a token known to do SHA-1 only: listed, and still unsupported.
  const std::vector<Pkcs11MechanismInfo> oaep{info(CKM_RSA_PKCS_OAEP, CKF_ENCRYPT | CKF_DECRYPT)};
  const CapabilityTable softhsm =
      CapabilityTable::build(oaep, TokenFacts{.token_label = "t",
                                              .token_manufacturer = "m",
                                              .library_manufacturer = "SoftHSM",
                                              .oaep_sha1_only = true});
  EXPECT_EQ(softhsm.at(oaep_row(HashAlg::Sha256, false)).how, CapabilityHow::Unsupported);
  EXPECT_EQ(table_of(oaep).at(oaep_row(HashAlg::Sha256, false)).how, CapabilityHow::Token);
  EXPECT_EQ(table_of(oaep).at(oaep_row(HashAlg::Sha224, false)).how, CapabilityHow::Unsupported);
  // The public rows: one per table row, names and how as printed by `craton-hsm info`.
  const std::vector<SchemeCapability> rows = nss_like.describe();
  ASSERT_EQ(rows.size(), capability_index::kCount);
  const auto ecdsa_row = std::find_if(rows.begin(), rows.end(), [](const SchemeCapability& r) {
    return r.scheme == "ECDSA-P256-SHA256" && r.operation == "sign";
  });
  ASSERT_NE(ecdsa_row, rows.end());
  EXPECT_EQ(ecdsa_row->mechanism, "CKM_ECDSA_SHA256");
  EXPECT_EQ(capability_how_name(ecdsa_row->how), "token");
}

}  // namespace
}  // namespace craton::hsm::pkcs11
