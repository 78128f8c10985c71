// SPDX-License-Identifier: Apache-2.0
// The audit trail around the passthrough backend, end to end on SoftHSM2: every operation and
// administrative action recorded and chained, no secret in the file, fail-closed when the
// file cannot be written, and a gap-free sequence under 8 threads.
#include <craton/hsm/audit.h>
#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/software_backend.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/rand.h>
#include <sys/resource.h>

#include <csignal>
#include <sstream>
#include <thread>

#include "audited/audited_pkcs11_backend.h"
#include "backends/pkcs11/metered_backend.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "backends/pkcs11/resident_test_util.h"
#include "core/hex.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"
#include "support/softhsm_token.h"
#include "support/text.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::audited::AuditedPkcs11Backend;
using ::craton::hsm::testing::base64;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::read_file;
using ::craton::hsm::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

// A token of its own with a PIN distinctive enough to search the trail for.
constexpr std::string_view kAuditToken = "audit-token";
constexpr std::string_view kAuditPin = "Pin-7f3Kq-audit";

class AuditedBackendTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto init = testing::run_command(
        fmt::format("softhsm2-util --init-token --free --label {} --pin {} --so-pin {}",
                    kAuditToken, kAuditPin, testing::kSoPin));
    ASSERT_EQ(init.exit_code, 0) << init.output;
  }

  void SetUp() override {
    std::array<std::uint8_t, 32> key{};
    ASSERT_EQ(RAND_bytes(key.data(), key.size()), 1);
    audit_key_ = std::vector<std::uint8_t>(key.begin(), key.end());
    key_file_ = dir_.write("audit.key", std::string(key.begin(), key.end()));
    trail_ = dir_.path() / "audit.jsonl";
  }

  Pkcs11PassthroughConfig config() const {
    Pkcs11PassthroughConfig config = testing::softhsm_config();
    config.token_label = std::string(kAuditToken);
    config.user_pin.emplace(kAuditPin);
    AuditConfig audit;
    audit.file = trail_;
    audit.key_file = key_file_;
    config.audit = audit;
    return config;
  }

  std::unique_ptr<Pkcs11Backend> open() const {
    auto backend = make_pkcs11_backend(config());
    EXPECT_THAT(backend, IsOk());
    return backend ? std::move(*backend) : nullptr;
  }

  AuditVerifyReport verify() const {
    auto mac = make_key_file_audit_mac(key_file_);
    EXPECT_THAT(mac, IsOk());
    const std::vector<std::filesystem::path> files{trail_};
    auto report = verify_audit_trail(files, **mac);
    EXPECT_THAT(report, IsOk());
    return report ? *report : AuditVerifyReport{};
  }

  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream text(read_file(trail_));
    for (std::string line; std::getline(text, line);) out.push_back(line);
    return out;
  }

  TempDir dir_;
  std::vector<std::uint8_t> audit_key_;
  std::filesystem::path key_file_;
  std::filesystem::path trail_;
};

const std::vector<std::uint8_t> kMessage(100, 0x33);

TEST_F(AuditedBackendTest, RecordsOperationsAndAdministrativeEventsInAnIntactChain) {
  const Key aes = Key::aes(std::vector<std::uint8_t>(32, 0x4b)).value();
  {
    auto backend = open();
    ASSERT_NE(backend, nullptr);
    auto sealed = backend->aes_gcm_encrypt(aes, kMessage, {});
    ASSERT_THAT(sealed, IsOk());
    (*sealed)[20] ^= 1;
    EXPECT_THAT(backend->aes_gcm_decrypt(aes, *sealed, {}),
                HasErrorCode(ErrorCode::AuthenticationFailed));
    const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "audited");
    auto signer = backend->generate_resident_key(spec);
    ASSERT_THAT(signer, IsOk());
    auto signature = backend->sign(*signer, SignScheme::EcdsaP256Sha256, kMessage);
    ASSERT_THAT(signature, IsOk());
    ASSERT_THAT(backend->verify(*signer, SignScheme::EcdsaP256Sha256, kMessage, *signature),
                IsOk());
    ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
  }
  const AuditVerifyReport report = verify();
  EXPECT_TRUE(report.intact) << report.problem << " at line " << report.line;
  const std::string text = read_file(trail_);
  for (const char* expected :
       {R"("op":"backend_start")", R"("op":"login")", R"("op":"key_import")",
        R"("op":"aes_gcm_encrypt")", R"("mech":"CKM_AES_GCM")", R"("code":"AuthenticationFailed")",
        R"("op":"key_generate")", R"("op":"sign")", R"("mech":"CKM_ECDSA")", R"("op":"verify")",
        R"("op":"key_destroy")", R"("op":"backend_stop")", R"("key":"fp:)", R"("key":"pkcs11:)",
        R"("serial":")"}) {
    EXPECT_THAT(text, HasSubstr(expected));
  }
}

// The caller-buffer operations are the same operations to an auditor: same names, and the
// byte counts of the result, not of the buffer.
TEST_F(AuditedBackendTest, RecordsTheIntoOperationsUnderTheirOperationNames) {
  const Key aes = Key::aes(std::vector<std::uint8_t>(32, 0x5d)).value();
  {
    auto backend = open();
    ASSERT_NE(backend, nullptr);
    std::vector<std::uint8_t> sealed(kMessage.size() + kGcmIvSize + kGcmTagSize + 50);
    const auto written = backend->aes_gcm_encrypt_into(aes, kMessage, {}, sealed);
    ASSERT_THAT(written, IsOk());
    sealed.resize(*written);
    std::vector<std::uint8_t> opened(kMessage.size() + 50);
    ASSERT_THAT(backend->aes_gcm_decrypt_into(aes, sealed, {}, opened), IsOk());
  }
  const AuditVerifyReport report = verify();
  EXPECT_TRUE(report.intact) << report.problem << " at line " << report.line;
  int encryptions = 0;
  int decryptions = 0;
  for (const std::string& line : lines()) {
    if (line.find(R"("op":"aes_gcm_encrypt")") != std::string::npos) {
      ++encryptions;
      EXPECT_THAT(line, HasSubstr(R"("in":100,"out":128)"));
      EXPECT_THAT(line, HasSubstr(R"("outcome":"ok")"));
      EXPECT_THAT(line, HasSubstr(R"("mech":"CKM_AES_GCM")"));
    }
    if (line.find(R"("op":"aes_gcm_decrypt")") != std::string::npos) {
      ++decryptions;
      EXPECT_THAT(line, HasSubstr(R"("in":128,"out":100)"));
      EXPECT_THAT(line, HasSubstr(R"("outcome":"ok")"));
    }
  }
  EXPECT_EQ(encryptions, 1);
  EXPECT_EQ(decryptions, 1);
}

TEST_F(AuditedBackendTest, NoSecretEverReachesTheTrail) {
  const Key aes =
      Key::aes(std::vector<std::uint8_t>{0x8d, 0x3e, 0x91, 0x5c, 0x27, 0xa4, 0x60, 0xf1, 0x0b, 0xce,
                                         0x73, 0x19, 0xe2, 0x45, 0xb8, 0x6a})
          .value();
  const Key hmac = Key::hmac(std::vector<std::uint8_t>(32, 0xd7)).value();
  const Key ec = make_software_backend()->generate_key(KeyAlgorithm::EcP256).value();
  const std::vector<std::uint8_t> plaintext{'t', 'o', 'p', '-', 's', 'e', 'c', 'r', 'e', 't'};
  {
    auto backend = open();
    ASSERT_NE(backend, nullptr);
    ASSERT_THAT(backend->aes_gcm_encrypt(aes, plaintext, {}), IsOk());
    ASSERT_THAT(backend->hmac(hmac, HashAlg::Sha256, plaintext), IsOk());
    ASSERT_THAT(backend->sign(ec, SignScheme::EcdsaP256Sha256, plaintext), IsOk());
  }
  const std::string text = read_file(trail_);
  ASSERT_FALSE(text.empty());
  EXPECT_THAT(text, Not(HasSubstr(kAuditPin)));
  EXPECT_THAT(text, Not(HasSubstr("top-secret")));
  for (const Key* key : {&aes, &hmac, &ec}) {
    const SecretBytes secret = key->export_secret().value();
    const std::span<const std::uint8_t> bytes = secret.expose();
    const std::string raw(bytes.begin(), bytes.end());
    EXPECT_EQ(text.find(raw), std::string::npos) << key->describe() << " in raw form";
    EXPECT_THAT(text, Not(HasSubstr(to_hex(bytes))));
    EXPECT_THAT(text, Not(HasSubstr(base64(bytes))));
  }
  for (const auto& bytes : {audit_key_}) {
    EXPECT_THAT(text, Not(HasSubstr(to_hex(bytes))));
    EXPECT_THAT(text, Not(HasSubstr(base64(bytes))));
  }
}

// Lowers the file size limit of this process (SIGXFSZ ignored, so write() fails with EFBIG)
// and restores it on scope exit.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &previous_);
    rlimit limit = previous_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &previous_);
    std::signal(SIGXFSZ, previous_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit previous_{};
  void (*previous_handler_)(int) = nullptr;
};

TEST_F(AuditedBackendTest, FailsClosedWhileTheTrailCannotBeWrittenAndLosesNothing) {
  auto backend = open();
  ASSERT_NE(backend, nullptr);
  const Key aes = Key::aes(std::vector<std::uint8_t>(16, 0x21)).value();
  const Result<Bytes> message = backend->aes_gcm_encrypt(aes, kMessage, {});
  ASSERT_THAT(message, IsOk());
  // make_pkcs11_backend puts the metering decorator outermost, the audit decorator under it.
  auto& audited = dynamic_cast<AuditedPkcs11Backend&>(
      dynamic_cast<pkcs11::MeteredPkcs11Backend&>(*backend).inner());
  auto& passthrough = dynamic_cast<Pkcs11PassthroughBackend&>(audited.inner());
  ASSERT_THAT(audited.log().flush(), IsOk());
  std::uint64_t accepted = 0;
  {
    const FileSizeLimit full(std::filesystem::file_size(trail_));  // the disk is "full"
    // The writer notices on its next write; from then on nothing runs unrecorded.
    Result<Bytes> sealed = backend->aes_gcm_encrypt(aes, kMessage, {});
    for (int i = 0; i < 200 && sealed; ++i) {
      ++accepted;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      sealed = backend->aes_gcm_encrypt(aes, kMessage, {});
    }
    ASSERT_THAT(sealed, HasErrorCode(ErrorCode::AuditUnavailable));
    const std::uint64_t used = passthrough.gcm_messages(aes);
    EXPECT_THAT(backend->aes_gcm_encrypt(aes, kMessage, {}),
                HasErrorCode(ErrorCode::AuditUnavailable));
    EXPECT_EQ(passthrough.gcm_messages(aes), used) << "a refused operation did not run";
    std::vector<std::uint8_t> opened(kMessage.size(), 0xAA);
    EXPECT_THAT(backend->aes_gcm_decrypt_into(aes, *message, {}, opened),
                HasErrorCode(ErrorCode::AuditUnavailable));
    EXPECT_EQ(opened, std::vector<std::uint8_t>(kMessage.size(), 0)) << "and left no bytes";
  }
  // Space again: the held records are written and operations go on.
  Result<Bytes> sealed = backend->aes_gcm_encrypt(aes, kMessage, {});
  for (int i = 0; i < 100 && !sealed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sealed = backend->aes_gcm_encrypt(aes, kMessage, {});
  }
  ASSERT_THAT(sealed, IsOk());
  backend.reset();
  const AuditVerifyReport report = verify();
  EXPECT_TRUE(report.intact) << report.problem << " at line " << report.line;
  std::uint64_t encryptions = 0;
  for (const std::string& line : lines()) {
    if (line.find(R"("op":"aes_gcm_encrypt")") != std::string::npos &&
        line.find(R"("outcome":"ok")") != std::string::npos) {
      ++encryptions;
    }
  }
  EXPECT_EQ(encryptions, accepted + 2) << "every operation that succeeded is in the trail";
}

TEST_F(AuditedBackendTest, AnHmacKeyOnTheTokenCanKeyTheChain) {
  Pkcs11PassthroughConfig plain = config();
  plain.audit.reset();
  auto keeper = make_pkcs11_backend(std::move(plain));
  ASSERT_THAT(keeper, IsOk());
  ResidentKeySpec spec = unique_spec(KeyAlgorithm::Hmac256, "audit-chain-key");
  ASSERT_THAT((*keeper)->generate_resident_key(spec), IsOk());

  Pkcs11PassthroughConfig with_token_key = config();
  with_token_key.audit->key_file.reset();
  with_token_key.audit->key_label = spec.label;
  {
    auto backend = make_pkcs11_backend(std::move(with_token_key));
    ASSERT_THAT(backend, IsOk());
    ASSERT_THAT((*backend)->digest(HashAlg::Sha256, kMessage), IsOk());
    ASSERT_THAT((*backend)->random(16), IsOk());
  }
  auto token_mac = make_token_audit_mac(**keeper, spec.label);
  ASSERT_THAT(token_mac, IsOk());
  const std::vector<std::filesystem::path> files{trail_};
  auto report = verify_audit_trail(files, **token_mac);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_GE(report->records, 4u);
  // The key file's key is not the chain's key.
  auto file_mac = make_key_file_audit_mac(key_file_);
  ASSERT_THAT(file_mac, IsOk());
  auto wrong = verify_audit_trail(files, **file_mac);
  ASSERT_THAT(wrong, IsOk());
  EXPECT_FALSE(wrong->intact);
  EXPECT_THAT(make_token_audit_mac(**keeper, "no-such-audit-key"),
              HasErrorCode(ErrorCode::AuditUnavailable));
  ASSERT_THAT((*keeper)->destroy_key(by_label(spec.label)), IsOk());
}

TEST_F(AuditedBackendTest, EightThreadsProduceAGapFreeChain) {
  constexpr int kThreads = 8;
  constexpr int kOpsPerThread = 250;
  {
    auto backend = open();
    ASSERT_NE(backend, nullptr);
    const Key hmac = Key::hmac(std::vector<std::uint8_t>(32, 0x61)).value();
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kOpsPerThread; ++i) {
          if (!backend->hmac(hmac, HashAlg::Sha256, kMessage)) ++failures;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
  }
  const AuditVerifyReport report = verify();
  EXPECT_TRUE(report.intact) << report.problem << " at line " << report.line;
  EXPECT_GE(report.records, std::uint64_t{kThreads} * kOpsPerThread);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
