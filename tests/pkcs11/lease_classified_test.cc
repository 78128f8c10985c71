// SPDX-License-Identifier: Apache-2.0
// Lease::call_classified: the caller reads failed answers its own way, while the session's
// bookkeeping (dead sessions, active operations) follows the raw answer.
#include <array>
#include <optional>

#include "pkcs11/pool/session_pool.h"
#include "pool_fixture.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

using LeaseClassifiedTest = LeasedSessionTest;

TEST_F(LeaseClassifiedTest, ClassifyGetsTheRawAnswerWithTheErrorCallWouldReturn) {
  std::optional<CK_RV> seen_rv;
  std::optional<HsmError> seen_error;
  const auto classify = [&](CK_RV rv, const HsmError& mapped) {
    seen_rv = rv;
    seen_error = mapped;
    return fail(ErrorCode::AuthenticationFailed, "read as a tag failure");
  };
  std::array<CK_BYTE, 16> input{};
  std::array<CK_BYTE, 16> output{};
  CK_ULONG length = output.size();
  // No C_DecryptInit: the module answers CKR_OPERATION_NOT_INITIALIZED.
  const Result<void> result = lease_->call_classified<Fn::Decrypt>(
      classify, input.data(), CK_ULONG{input.size()}, output.data(), &length);

  EXPECT_THAT(result, HasErrorCode(ErrorCode::AuthenticationFailed));
  ASSERT_TRUE(seen_rv.has_value());
  EXPECT_EQ(*seen_rv, CKR_OPERATION_NOT_INITIALIZED);
  ASSERT_TRUE(seen_error.has_value());
  const HsmError plain = error_from_rv(CKR_OPERATION_NOT_INITIALIZED, Fn::Decrypt);
  EXPECT_EQ(seen_error->code(), plain.code());
  EXPECT_EQ(seen_error->function(), "C_Decrypt");
  EXPECT_EQ(seen_error->rv(), std::optional<std::uint64_t>{CKR_OPERATION_NOT_INITIALIZED});
}

TEST_F(LeaseClassifiedTest, ClassifyIsNotAskedAboutSuccess) {
  int asked = 0;
  const auto classify = [&](CK_RV, HsmError mapped) {
    ++asked;
    return std::unexpected(std::move(mapped));
  };
  std::array<CK_BYTE, 8> random{};
  EXPECT_THAT(
      lease_->call_classified<Fn::GenerateRandom>(classify, random.data(), CK_ULONG{random.size()}),
      IsOk());
  EXPECT_EQ(asked, 0);
}

TEST_F(LeaseClassifiedTest, PassingTheMappedErrorOnIsWhatCallReturns) {
  const auto pass_on = [](CK_RV, HsmError mapped) { return std::unexpected(std::move(mapped)); };
  CK_ULONG length = 0;
  const Result<void> classified = lease_->call_classified<Fn::Decrypt>(
      pass_on, static_cast<CK_BYTE_PTR>(nullptr), CK_ULONG{0}, nullptr, &length);
  const Result<void> plain =
      lease_->call<Fn::Decrypt>(static_cast<CK_BYTE_PTR>(nullptr), CK_ULONG{0}, nullptr, &length);
  ASSERT_FALSE(classified.has_value());
  ASSERT_FALSE(plain.has_value());
  EXPECT_EQ(classified.error().to_string(), plain.error().to_string());
}

// A classifier that reads a dead session as a Stop-class error must not keep the dead session
// in the pool: the rebuild decision is taken from the CK_RV.
TEST_F(LeaseClassifiedTest, ADeadSessionIsRebuiltWhateverClassifyMakesOfTheAnswer) {
  const CK_SESSION_HANDLE old_handle = lease_->session().handle();
  ASSERT_EQ(module_->invoke<Fn::CloseAllSessions>(static_cast<CK_SLOT_ID>(pool_->slot())), CKR_OK);
  const auto as_bad_data = [](CK_RV, const HsmError&) {
    return fail(ErrorCode::EncryptedDataInvalid, "read as bad data");
  };
  std::array<CK_BYTE, 8> random{};
  EXPECT_THAT(lease_->call_classified<Fn::GenerateRandom>(as_bad_data, random.data(),
                                                          CK_ULONG{random.size()}),
              HasErrorCode(ErrorCode::EncryptedDataInvalid));
  lease_.reset();

  auto lease = pool_->acquire();
  ASSERT_THAT(lease, IsOk());
  EXPECT_NE(lease->session().handle(), old_handle);
  EXPECT_EQ(pool_->counters().sessions_rebuilt, 1u);
  EXPECT_THAT(touch_private_object(*lease), IsOk());
}

}  // namespace
}  // namespace craton::hsm::pkcs11
