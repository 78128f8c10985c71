// SPDX-License-Identifier: Apache-2.0
// What the passthrough notes while an audited operation runs reaches that operation's record:
// the mechanism it started, a session the pool rebuilt and the re-run, a key generated in
// software. Through the fault shim over SoftHSM2, which drops a session or hides a mechanism.
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
  std::unique_ptr<Pkcs11Backend> open(bool allow_software_keygen = false) const {
    Pkcs11PassthroughConfig config = fault_shim_config();
    config.pool_size = 1;
    config.allow_software_keygen_fallback = allow_software_keygen;
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

}  // namespace
}  // namespace craton::hsm::testing
