// SPDX-License-Identifier: Apache-2.0
// The audit decorator around the software backend, built through the public API
// (make_audited_backend): every operation recorded with its outcome and key, the keys named by
// the fingerprint the token backend's records give them, the same fields as the token backend
// writes for the same operations, fail-closed when the trail fails.
#include <craton/hsm/audit.h>
#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/software_backend.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "audit/audit_test_util.h"
#include "audited/audited_backend.h"
#include "keys/fingerprint.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::testing {
namespace {

const std::vector<std::uint8_t> kMessage(32, 0x6c);

// The keys the sequence below uses: made once, so every backend and trail sees the same ones.
struct SequenceKeys {
  Key ec = make_software_backend()->generate_key(KeyAlgorithm::EcP256).value();
  Key aes = Key::aes(std::vector<std::uint8_t>(32, 0x2e)).value();
  Key hmac = Key::hmac(std::vector<std::uint8_t>(32, 0x71)).value();
};

// The operations this test records, in the order run_sequence runs them.
const std::vector<std::string> kSequenceOps{
    "sign",   "verify", "verify",   "aes_gcm_encrypt", "aes_gcm_decrypt", "aes_gcm_decrypt", "hmac",
    "digest", "random", "wrap_key", "unwrap_key",      "generate_key",    "hmac_verify"};

// One of each kind of call, failures and "invalid" answers included.
void run_sequence(CryptoBackend& backend, const SequenceKeys& keys) {
  const auto signature = backend.sign(keys.ec, SignScheme::EcdsaP256Sha256, kMessage);
  ASSERT_THAT(signature, IsOk());
  ASSERT_EQ(backend.verify(keys.ec, SignScheme::EcdsaP256Sha256, kMessage, *signature),
            VerifyOutcome::Valid);
  std::vector<std::uint8_t> forged = *signature;
  forged[5] ^= 1;
  ASSERT_EQ(backend.verify(keys.ec, SignScheme::EcdsaP256Sha256, kMessage, forged),
            VerifyOutcome::Invalid);
  auto sealed = backend.aes_gcm_encrypt(keys.aes, kMessage, {});
  ASSERT_THAT(sealed, IsOk());
  ASSERT_THAT(backend.aes_gcm_decrypt(keys.aes, *sealed, {}), IsOk());
  (*sealed)[kGcmIvSize] ^= 1;
  ASSERT_THAT(backend.aes_gcm_decrypt(keys.aes, *sealed, {}),
              HasErrorCode(ErrorCode::AuthenticationFailed));
  const auto tag = backend.hmac(keys.hmac, HashAlg::Sha256, kMessage);
  ASSERT_THAT(tag, IsOk());
  ASSERT_THAT(backend.digest(HashAlg::Sha256, kMessage), IsOk());
  ASSERT_THAT(backend.random(16), IsOk());
  const SecretBytes wrapped_key(std::vector<std::uint8_t>(16, 0x3d));
  auto wrapped = backend.wrap_key(keys.aes, KeyWrapScheme::AesKw, wrapped_key);
  ASSERT_THAT(wrapped, IsOk());
  ASSERT_THAT(backend.unwrap_key(keys.aes, KeyWrapScheme::AesKw, *wrapped), IsOk());
  ASSERT_THAT(backend.generate_key(KeyAlgorithm::Aes128), IsOk());
  ASSERT_EQ(backend.hmac_verify(keys.hmac, HashAlg::Sha256, kMessage, *tag), VerifyOutcome::Valid);
}

std::string fingerprint_field(const Key& key) {
  const Fingerprint fingerprint =
      keys::keyed_fingerprint(key.material(), keys::process_fingerprint_secret());
  std::string out = "fp:";
  for (const std::uint8_t byte : fingerprint.bytes) out += fmt::format("{:02x}", byte);
  return out;
}

// The records of the sequence's operations (administrative ones left out).
std::vector<std::string> operation_records(const std::filesystem::path& trail) {
  std::vector<std::string> out;
  for (std::string& line : read_lines(trail)) {
    const auto op = field(line, "op");
    if (op && std::find(kSequenceOps.begin(), kSequenceOps.end(), *op) != kSequenceOps.end()) {
      out.push_back(std::move(line));
    }
  }
  return out;
}

std::unique_ptr<CryptoBackend> audited_software(const AuditConfig& config) {
  auto backend = make_audited_backend(make_software_backend(), config);
  EXPECT_THAT(backend, IsOk());
  return backend ? std::move(*backend) : nullptr;
}

TEST(AuditedSoftwareTest, RecordsEveryOperationWithItsOutcomeAndKeyInAnIntactChain) {
  const SequenceKeys keys;
  AuditDir dir;
  std::string name;
  {
    auto backend = audited_software(dir.config());
    ASSERT_NE(backend, nullptr);
    name = std::string(backend->name());
    EXPECT_THAT(name, ::testing::StartsWith("software:"));
    run_sequence(*backend, keys);
    ASSERT_THAT(backend->flush_audit(), IsOk());
  }
  const AuditVerifyReport report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem << " at line " << report.line;

  const std::vector<std::string> lines = read_lines(dir.trail());
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(field(lines[1], "op"), "backend_start");
  EXPECT_EQ(field(lines[1], "detail"), name);
  EXPECT_EQ(field(lines.back(), "op"), "backend_stop");
  for (const std::string& line : lines) EXPECT_EQ(field(line, "backend"), name) << line;

  const std::vector<std::string> records = operation_records(dir.trail());
  ASSERT_EQ(records.size(), kSequenceOps.size());
  const std::string ec = fingerprint_field(keys.ec);
  const std::string aes = fingerprint_field(keys.aes);
  const std::string hmac = fingerprint_field(keys.hmac);
  const std::vector<std::optional<std::string>> expected_keys{ec, ec, ec,  aes, aes, aes, hmac,
                                                              {}, {}, aes, aes, {},  hmac};
  for (std::size_t i = 0; i < records.size(); ++i) {
    SCOPED_TRACE(records[i]);
    EXPECT_EQ(field(records[i], "op"), kSequenceOps[i]);
    EXPECT_EQ(field(records[i], "key"), expected_keys[i]);
    EXPECT_EQ(field(records[i], "outcome"), i == 5 ? "error" : "ok");
    EXPECT_EQ(field(records[i], "fallback"), "false");
    EXPECT_EQ(field(records[i], "recovered"), "false");
    EXPECT_EQ(field(records[i], "retries"), "0");
  }
  EXPECT_EQ(field(records[0], "in"), "32");
  EXPECT_EQ(field(records[0], "out"), "64");
  EXPECT_EQ(field(records[1], "detail"), "valid");
  EXPECT_EQ(field(records[2], "detail"), "invalid");
  EXPECT_EQ(field(records[3], "out"), std::to_string(kMessage.size() + kGcmIvSize + kGcmTagSize));
  EXPECT_EQ(field(records[5], "code"), "AuthenticationFailed");
  EXPECT_EQ(field(records[8], "out"), "16");
}

// What the records say about an operation does not depend on the backend that ran it: only
// the mechanism (a token's), the CKR_* name of a failed token call, time and origin differ.
TEST(AuditedSoftwareTest, WritesTheSameFieldsAsTheTokenBackendForTheSameOperations) {
  const SequenceKeys keys;
  AuditDir software_dir;
  AuditDir token_dir;
  {
    auto software = audited_software(software_dir.config());
    ASSERT_NE(software, nullptr);
    run_sequence(*software, keys);
  }
  {
    Pkcs11PassthroughConfig config = softhsm_config();
    config.audit = token_dir.config();
    auto token = make_pkcs11_backend(std::move(config));
    ASSERT_THAT(token, IsOk());
    run_sequence(**token, keys);
  }
  const std::vector<std::string> software = operation_records(software_dir.trail());
  const std::vector<std::string> token = operation_records(token_dir.trail());
  ASSERT_EQ(software.size(), kSequenceOps.size());
  ASSERT_EQ(token.size(), kSequenceOps.size());
  for (std::size_t i = 0; i < software.size(); ++i) {
    for (const char* name : {"op", "key", "in", "out", "outcome", "code", "detail", "fallback",
                             "recovered", "retries"}) {
      EXPECT_EQ(field(software[i], name), field(token[i], name))
          << name << "\n software: " << software[i] << "\n token:    " << token[i];
    }
  }
  EXPECT_EQ(field(token[0], "mech"), "CKM_ECDSA") << "the token's records name its mechanism";
  EXPECT_EQ(field(software[0], "mech"), std::nullopt);
}

TEST(AuditedSoftwareTest, FailsClosedWhileTheTrailCannotTakeRecords) {
  const SequenceKeys keys;
  AuditDir dir;
  auto state = std::make_shared<MemorySinkState>();
  audited::AuditedBackend backend(make_software_backend(),
                                  dir.open(dir.config(), memory_sink(state)));
  auto sealed = backend.aes_gcm_encrypt(keys.aes, kMessage, {});
  ASSERT_THAT(sealed, IsOk());

  state->failing = true;
  ASSERT_TRUE(eventually([&] { return !backend.hmac(keys.hmac, HashAlg::Sha256, kMessage); }));
  EXPECT_THAT(backend.hmac(keys.hmac, HashAlg::Sha256, kMessage),
              HasErrorCode(ErrorCode::AuditUnavailable));
  std::vector<std::uint8_t> opened(kMessage.size(), 0xAA);
  EXPECT_THAT(backend.aes_gcm_decrypt_into(keys.aes, *sealed, {}, opened),
              HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_EQ(opened, std::vector<std::uint8_t>(kMessage.size(), 0)) << "no unrecorded plaintext";
  EXPECT_THAT(backend.flush_audit(), HasErrorCode(ErrorCode::AuditUnavailable));

  state->failing = false;
  ASSERT_TRUE(
      eventually([&] { return backend.hmac(keys.hmac, HashAlg::Sha256, kMessage).has_value(); }));
  ASSERT_THAT(backend.flush_audit(), IsOk());
}

TEST(AuditedSoftwareTest, RecordsNameMaterialKeysThroughTheKeyIdentityItWasGiven) {
  const SequenceKeys keys;
  AuditDir dir;
  Fingerprint fixed;
  fixed.bytes.fill(0xab);
  {
    audited::AuditedBackend audited(make_software_backend(), dir.open(dir.config()),
                                    [&fixed](const Key&) -> const Fingerprint& { return fixed; });
    CryptoBackend& backend = audited;  // the operations' default arguments
    ASSERT_THAT(backend.sign(keys.ec, SignScheme::EcdsaP256Sha256, kMessage), IsOk());
  }
  std::string expected = "fp:";
  for (int i = 0; i < 32; ++i) expected += "ab";
  const std::vector<std::string> records = operation_records(dir.trail());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(field(records[0], "key"), expected);
  EXPECT_NE(field(records[0], "key"), fingerprint_field(keys.ec));
}

TEST(AuditedSoftwareTest, ThePublicFactoryRefusesWhatItCannotAudit) {
  AuditDir dir;
  EXPECT_THAT(make_audited_backend(nullptr, dir.config()),
              HasErrorCode(ErrorCode::InvalidArgument));
  AuditConfig token_key = dir.config();
  token_key.key_file.reset();
  token_key.key_label = "audit-key";
  EXPECT_THAT(make_audited_backend(make_software_backend(), token_key),
              HasErrorCode(ErrorCode::ConfigInvalid));
  AuditConfig no_key = dir.config();
  no_key.key_file.reset();
  EXPECT_THAT(make_audited_backend(make_software_backend(), no_key),
              HasErrorCode(ErrorCode::ConfigInvalid));
  const std::filesystem::path shared_key = dir / "shared.key";
  write_key_file(shared_key);
  std::filesystem::permissions(shared_key, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  AuditConfig readable_key = dir.config();
  readable_key.key_file = shared_key;
  EXPECT_THAT(make_audited_backend(make_software_backend(), readable_key),
              HasErrorCode(ErrorCode::ConfigInvalid));
  EXPECT_FALSE(std::filesystem::exists(dir.trail())) << "no trail was started";
}

}  // namespace
}  // namespace craton::hsm::testing
