// SPDX-License-Identifier: Apache-2.0
// The audited backend on the token while the trail cannot be written: no result is released
// without its record (per_record), a token change whose intent cannot be written does not
// happen, one whose outcome cannot be written leaves an intent the verifier lists, and a trail
// renamed under a running backend stops it instead of forking the chain.
#include "audit/audit_test_util.h"

#include <craton/hsm/pkcs11_backend.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/pkcs11/resident_test_util.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"
#include "write_fault_control.h"

namespace craton::hsm::testing {
namespace {

using ::craton::hsm::pkcs11::by_label;
using ::craton::hsm::pkcs11::unique_spec;
using ::testing::HasSubstr;

const std::vector<std::uint8_t> kMessage(64, 0x42);

class AuditedFault : public ::testing::Test {
 protected:
  void TearDown() override { craton_write_fault_disarm(); }

  std::unique_ptr<Pkcs11Backend> open(AuditDurability durability) const {
    Pkcs11PassthroughConfig config = softhsm_config();
    AuditConfig audit = dir_.config();
    audit.durability = durability;
    config.audit = audit;
    auto backend = make_pkcs11_backend(std::move(config));
    EXPECT_THAT(backend, IsOk());
    return backend ? std::move(*backend) : nullptr;
  }

  // The token without a trail, to see what really happened there.
  static std::unique_ptr<Pkcs11Backend> plain() {
    auto backend = make_pkcs11_backend(softhsm_config());
    EXPECT_THAT(backend, IsOk());
    return backend ? std::move(*backend) : nullptr;
  }

  void arm(int error, unsigned long after = 0) const {
    craton_write_fault_arm(dir_.trail().c_str(), error, after, kWriteFaultWrite, 0);
  }

  AuditDir dir_;
};

class AuditedSignFault : public AuditedFault, public ::testing::WithParamInterface<int> {};

TEST_P(AuditedSignFault, SignatureIsNotReleasedWhenItsRecordCannotBeWritten) {
  auto backend = open(AuditDurability::PerRecord);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec =
      unique_spec(KeyAlgorithm::EcP256, "audited-sign-" + std::to_string(GetParam()));
  auto key = backend->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(backend->flush_audit(), IsOk());
  arm(GetParam());
  EXPECT_THAT(backend->sign(*key, SignScheme::EcdsaP256Sha256, kMessage),
              HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(backend->flush_audit(), HasErrorCode(ErrorCode::AuditUnavailable));
  craton_write_fault_disarm();
  ASSERT_TRUE(eventually([&] { return backend->flush_audit().has_value(); }));
  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
}

INSTANTIATE_TEST_SUITE_P(Errnos, AuditedSignFault, ::testing::Values(ENOSPC, EIO, EFBIG),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == ENOSPC ? std::string("ENOSPC")
                                  : info.param == EIO  ? std::string("EIO")
                                                       : std::string("EFBIG");
                         });

TEST_F(AuditedFault, DestroyDoesNotTouchTheTokenWhenItsIntentCannotBeWritten) {
  auto backend = open(AuditDurability::PerBatch);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "audited-destroy-intent");
  ASSERT_THAT(backend->generate_resident_key(spec), IsOk());
  ASSERT_THAT(backend->flush_audit(), IsOk());
  arm(ENOSPC);
  EXPECT_THAT(backend->destroy_key(by_label(spec.label)),
              HasErrorCode(ErrorCode::AuditUnavailable));
  craton_write_fault_disarm();
  EXPECT_THAT(plain()->find_key(by_label(spec.label)), IsOk()) << "destroyed without a record";
  ASSERT_TRUE(eventually([&] { return backend->flush_audit().has_value(); }));
  ASSERT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
  backend.reset();
  const auto report = dir_.verify();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_TRUE(report.open_intents.empty()) << "the refused intent is closed as not run";
}

TEST_F(AuditedFault, GenerateDoesNotTouchTheTokenWhenItsIntentCannotBeWritten) {
  auto backend = open(AuditDurability::PerBatch);
  ASSERT_NE(backend, nullptr);
  ASSERT_THAT(backend->flush_audit(), IsOk());
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "audited-generate-intent");
  arm(EIO);
  EXPECT_THAT(backend->generate_resident_key(spec), HasErrorCode(ErrorCode::AuditUnavailable));
  craton_write_fault_disarm();
  EXPECT_THAT(plain()->find_key(by_label(spec.label)), HasErrorCode(ErrorCode::KeyNotFound));
}

// The token call ran, its outcome record did not reach the disk, and the process ends: the
// trail must not look complete.
TEST_F(AuditedFault, DestroyWhoseOutcomeCannotBeWrittenLeavesAnIntentTheVerifierLists) {
  auto backend = open(AuditDurability::PerRecord);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "audited-destroy-outcome");
  ASSERT_THAT(backend->generate_resident_key(spec), IsOk());
  ASSERT_THAT(backend->flush_audit(), IsOk());
  arm(ENOSPC, 1);  // the intent's write goes through, the outcome's fails
  const auto destroyed = backend->destroy_key(by_label(spec.label));
  ASSERT_THAT(destroyed, HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(destroyed.error().message(), HasSubstr("ran on the token"));
  backend.reset();  // as if the process ended here: the outcome is never written
  craton_write_fault_disarm();
  EXPECT_THAT(plain()->find_key(by_label(spec.label)), HasErrorCode(ErrorCode::KeyNotFound));
  const auto report = dir_.verify();
  EXPECT_TRUE(report.intact) << report.problem;
  ASSERT_EQ(report.open_intents.size(), 1u);
  EXPECT_EQ(report.open_intents[0].operation, "key_destroy");
  EXPECT_THAT(report.open_intents[0].key, HasSubstr(spec.label));
}

// The fork the review reproduced: the live trail renamed away, a second writer at the path,
// and a key_destroy recorded only in the renamed file. Now the first writer stops instead.
TEST_F(AuditedFault, RenamedTrailRefusesDestroyAndTheKeySurvives) {
  auto backend = open(AuditDurability::PerBatch);
  ASSERT_NE(backend, nullptr);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "audited-renamed-trail");
  const auto key = backend->generate_resident_key(spec);
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(backend->flush_audit(), IsOk());
  const auto moved = dir_ / "audit.jsonl.moved";
  std::filesystem::rename(dir_.trail(), moved);
  const auto destroyed = backend->destroy_key(by_label(spec.label));
  ASSERT_THAT(destroyed, HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(destroyed.error().message(), HasSubstr("renamed"));
  EXPECT_THAT(plain()->find_key(by_label(spec.label)), IsOk());
  EXPECT_THAT(backend->sign(*key, SignScheme::EcdsaP256Sha256, kMessage),
              HasErrorCode(ErrorCode::AuditUnavailable));
  backend.reset();
  EXPECT_EQ(read_file(moved).find(R"("op":"key_destroy")"), std::string::npos);
  ASSERT_THAT(plain()->destroy_key(by_label(spec.label)), IsOk());
}

}  // namespace
}  // namespace craton::hsm::testing
