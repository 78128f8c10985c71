// SPDX-License-Identifier: Apache-2.0
// What the passthrough notes while an audited operation runs reaches that operation's record:
// the mechanism it started, a session the pool rebuilt and the re-run, a key generated in
// software, auto import switching a class of keys to unwrap. Through the fault shim over SoftHSM2,
// which drops a session or hides a mechanism.
#include <craton/hsm/pkcs11_backend.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_test_util.h"
#include "pkcs11/loader/cryptoki.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::testing {
namespace {

constexpr unsigned long kSessionHandleInvalid = 0xB3;

class AuditedNotesTest : public ::testing::Test {
 protected:
  std::unique_ptr<Pkcs11Backend> open(bool allow_software_keygen = false,
                                      bool strict_usages = false) const {
    Pkcs11PassthroughConfig config = fault_shim_config();
    config.pool_size = 1;
    config.allow_software_keygen_fallback = allow_software_keygen;
    config.strict_usages = strict_usages;
    config.audit = dir_.config();
    auto backend = make_pkcs11_backend(std::move(config));
    EXPECT_THAT(backend, IsOk());
    return backend ? std::move(*backend) : nullptr;
  }

  // The records of operation `op`, in order.
  std::vector<std::string> records_of(std::string_view op) const {
    std::vector<std::string> out;
    for (std::string& line : read_lines(dir_.trail())) {
      if (field(line, "op") == op) out.push_back(std::move(line));
    }
    return out;
  }

  FaultShim shim_;  // before the backend: the backend loads the shim it set up
  AuditDir dir_;
};

const std::vector<std::uint8_t> kMessage(48, 0x5a);

TEST_F(AuditedNotesTest, ARecordSaysWhenThePoolRebuiltTheSessionAndRanTheOperationAgain) {
  const Key key = Key::hmac(std::vector<std::uint8_t>(32, 0x19)).value();
  {
    auto backend = open();
    ASSERT_NE(backend, nullptr);
    ASSERT_THAT(backend->hmac(key, HashAlg::Sha256, kMessage), IsOk());
    shim_.fail("C_Sign", kSessionHandleInvalid, 1);  // the token drops the session once
    ASSERT_THAT(backend->hmac(key, HashAlg::Sha256, kMessage), IsOk());
    ASSERT_THAT(backend->hmac(key, HashAlg::Sha256, kMessage), IsOk());
  }
  EXPECT_TRUE(dir_.verify().intact);
  const std::vector<std::string> hmacs = records_of("hmac");
  ASSERT_EQ(hmacs.size(), 3u);
  for (const std::string& line : hmacs) {
    EXPECT_EQ(field(line, "outcome"), "ok") << line;
    EXPECT_EQ(field(line, "mech"), "CKM_SHA256_HMAC") << line;
  }
  EXPECT_EQ(field(hmacs[0], "recovered"), "false");
  EXPECT_EQ(field(hmacs[0], "retries"), "0");
  EXPECT_EQ(field(hmacs[1], "recovered"), "true") << hmacs[1];
  EXPECT_EQ(field(hmacs[1], "retries"), "1") << hmacs[1];
  EXPECT_EQ(field(hmacs[2], "recovered"), "false") << "notes belong to one operation";
  EXPECT_EQ(field(hmacs[2], "retries"), "0");
  EXPECT_EQ(records_of("pool_rebuild").size(), 1u);
}

TEST_F(AuditedNotesTest, ARecordSaysWhenTheKeyWasGeneratedInSoftware) {
  shim_.set("hide_mechanism", CKM_EC_KEY_PAIR_GEN);
  {
    auto backend = open(/*allow_software_keygen=*/true);
    ASSERT_NE(backend, nullptr);
    ASSERT_THAT(backend->generate_key(KeyAlgorithm::EcP256), IsOk());  // in software
    ASSERT_THAT(backend->generate_key(KeyAlgorithm::Aes256), IsOk());  // on the token
  }
  EXPECT_TRUE(dir_.verify().intact);
  const std::vector<std::string> generated = records_of("generate_key");
  ASSERT_EQ(generated.size(), 2u);
  EXPECT_EQ(field(generated[0], "fallback"), "true") << generated[0];
  EXPECT_EQ(field(generated[0], "mech"), std::nullopt) << "no token mechanism ran";
  EXPECT_EQ(field(generated[1], "fallback"), "false") << generated[1];
  EXPECT_EQ(field(generated[1], "mech"), "CKM_AES_KEY_GEN") << generated[1];
}

// docs/vendors/README.md, "Strict key templates": the record of a resident generation says
// which template the token took and what it granted beyond the request, kept or refused.
TEST_F(AuditedNotesTest, TheRecordOfTheOperationDuringWhichAutoImportSwitchedSaysSo) {
  shim_.set("refuse_secret_key_create", 1);
  {
    auto backend = open();  // import_method = "auto", the default
    ASSERT_NE(backend, nullptr);
    ASSERT_THAT(backend->hmac(Key::hmac(std::vector<std::uint8_t>(32, 0x21)).value(),
                              HashAlg::Sha256, kMessage),
                IsOk());
    ASSERT_THAT(backend->hmac(Key::hmac(std::vector<std::uint8_t>(32, 0x22)).value(),
                              HashAlg::Sha256, kMessage),
                IsOk());
  }
  EXPECT_TRUE(dir_.verify().intact);
  const std::vector<std::string> records = records_of("hmac");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(field(records[0], "detail"), "import_method=auto: secret keys by unwrap from now on")
      << records[0];
  EXPECT_EQ(field(records[1], "detail"), std::nullopt) << "the switch is said once: " << records[1];
}

TEST_F(AuditedNotesTest, AKeyGenerationRecordSaysWhatTheTokenGrantedBeyondTheRequest) {
  const auto spec = [](const std::string& label) {
    ResidentKeySpec s;
    s.algorithm = KeyAlgorithm::Aes256;
    s.label = label;
    s.id = {0x5e, static_cast<std::uint8_t>(label.size())};
    return s;
  };
  shim_.set("strict_usage_templates", 0x13);  // CKR_ATTRIBUTE_VALUE_INVALID
  shim_.set("grant_extra_usage", 0x10C);      // CKA_DERIVE
  {
    auto backend = open();
    ASSERT_NE(backend, nullptr);
    auto kept = backend->generate_resident_key(spec("notes-strict-kept"));
    ASSERT_THAT(kept, IsOk());
    EXPECT_TRUE(kept->extra_usages().derive);
    KeyRef ref;
    ref.label = "notes-strict-kept";
    ASSERT_THAT(backend->destroy_key(ref), IsOk());
  }
  {
    auto strict = open(/*allow_software_keygen=*/false, /*strict_usages=*/true);
    ASSERT_NE(strict, nullptr);
    EXPECT_THAT(strict->generate_resident_key(spec("notes-strict-refused-key")),
                HasErrorCode(ErrorCode::TemplateInvalid));
  }
  EXPECT_TRUE(dir_.verify().intact);
  std::vector<std::string> outcomes;
  for (const std::string& line : records_of("key_generate")) {
    if (field(line, "outcome") != "intent") outcomes.push_back(line);
  }
  ASSERT_EQ(outcomes.size(), 2u);
  // SoftHSM2 adds sign, verify, wrap and unwrap to a minimal AES template; the shim adds derive.
  EXPECT_EQ(field(outcomes[0], "outcome"), "ok") << outcomes[0];
  EXPECT_EQ(field(outcomes[0], "detail"),
            "template=minimal; extra_usages=sign,verify,wrap,unwrap,derive")
      << outcomes[0];
  EXPECT_EQ(field(outcomes[1], "outcome"), "error") << outcomes[1];
  EXPECT_EQ(field(outcomes[1], "detail"),
            "template=minimal; extra_usages=sign,verify,wrap,unwrap,derive")
      << outcomes[1];
}

}  // namespace
}  // namespace craton::hsm::testing
