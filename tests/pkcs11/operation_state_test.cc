// SPDX-License-Identifier: Apache-2.0
// No session is handed out with an operation active: a lease released mid-operation, a length
// query left unanswered or a token answering CKR_OPERATION_ACTIVE all end in a rebuilt
// session, and the next operation on that (only) session succeeds.
#include <array>

#include "pkcs11/pool/session_pool.h"
#include "pool_fixture.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::softhsm_module;

CK_MECHANISM sha256() {
  return {CKM_SHA256, nullptr, 0};
}

// One whole digest: C_DigestInit, then C_Digest into a 32-byte buffer.
Result<void> whole_digest(Lease& lease) {
  CK_MECHANISM mechanism = sha256();
  CRATON_RETURN_IF_ERROR(lease.call<Fn::DigestInit>(&mechanism));
  std::array<CK_BYTE, 32> out{};
  CK_ULONG length = out.size();
  CK_BYTE data[] = {'a', 'b', 'c'};
  return lease.call<Fn::Digest>(static_cast<CK_BYTE_PTR>(data), CK_ULONG{sizeof data}, out.data(),
                                &length);
}

class OperationStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    module_ = softhsm_module();
    ASSERT_NE(module_, nullptr);
    auto pool = make_pool(module_, {.size = 1});  // one session: "the same session" is certain
    ASSERT_THAT(pool, IsOk());
    pool_ = std::move(*pool);
  }
  std::shared_ptr<const Module> module_;
  std::unique_ptr<SessionPool> pool_;
};

TEST_F(OperationStateTest, ALeaseReleasedMidOperationLeavesItsSessionRebuilt) {
  {
    auto lease = pool_->acquire();
    ASSERT_THAT(lease, IsOk());
    CK_MECHANISM mechanism = sha256();
    ASSERT_THAT(lease->call<Fn::DigestInit>(&mechanism), IsOk());
  }  // released with the digest active, as an early return or an exception would
  EXPECT_THAT(pool_->run(whole_digest), IsOk());
  EXPECT_EQ(pool_->counters().sessions_rebuilt, 1u);
  EXPECT_EQ(pool_->counters().retries, 0u) << "rebuilt before use, not after a failure";
}

TEST_F(OperationStateTest, ALengthQueryLeavesTheOperationActive) {
  {
    auto lease = pool_->acquire();
    ASSERT_THAT(lease, IsOk());
    CK_MECHANISM mechanism = sha256();
    ASSERT_THAT(lease->call<Fn::DigestInit>(&mechanism), IsOk());
    CK_BYTE data[] = {'a'};
    CK_ULONG length = 0;
    // PKCS#11 v2.40 §5.2: a NULL output buffer asks for the length; the operation goes on.
    ASSERT_THAT(lease->call<Fn::Digest>(static_cast<CK_BYTE_PTR>(data), CK_ULONG{1},
                                        static_cast<CK_BYTE_PTR>(nullptr), &length),
                IsOk());
    EXPECT_EQ(length, 32u);
  }
  EXPECT_THAT(pool_->run(whole_digest), IsOk());
  EXPECT_EQ(pool_->counters().sessions_rebuilt, 1u);
}

TEST_F(OperationStateTest, ABufferTooSmallAnswerLeavesTheOperationActive) {
  {
    auto lease = pool_->acquire();
    ASSERT_THAT(lease, IsOk());
    CK_MECHANISM mechanism = sha256();
    ASSERT_THAT(lease->call<Fn::DigestInit>(&mechanism), IsOk());
    std::array<CK_BYTE, 4> small{};
    CK_ULONG length = small.size();
    CK_BYTE data[] = {'a'};
    EXPECT_THAT(
        lease->call<Fn::Digest>(static_cast<CK_BYTE_PTR>(data), CK_ULONG{1}, small.data(), &length),
        HasErrorCode(ErrorCode::BufferTooSmall));
  }
  EXPECT_THAT(pool_->run(whole_digest), IsOk());
  EXPECT_EQ(pool_->counters().sessions_rebuilt, 1u);
}

// A module that keeps an operation the spec says has ended, or state we never saw: the token's
// CKR_OPERATION_ACTIVE rebuilds the session and the operation is retried on it.
TEST_F(OperationStateTest, CkrOperationActiveFromTheTokenRebuildsTheSession) {
  {
    auto lease = pool_->acquire();
    ASSERT_THAT(lease, IsOk());
    CK_MECHANISM mechanism = sha256();
    // Straight to the module, past the lease's bookkeeping.
    ASSERT_EQ(module_->invoke<Fn::DigestInit>(lease->session().handle(), &mechanism), CKR_OK);
  }
  EXPECT_THAT(pool_->run(whole_digest), IsOk());
  EXPECT_EQ(pool_->counters().sessions_rebuilt, 1u);
  EXPECT_EQ(pool_->counters().retries, 1u);
}

TEST_F(OperationStateTest, EndedOperationsNeverCostARebuild) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_THAT(pool_->run(whole_digest), IsOk());
    // Multi-part, with a length query before the final call.
    ASSERT_THAT(pool_->run([](Lease& lease) -> Result<void> {
      CK_MECHANISM mechanism = sha256();
      CRATON_RETURN_IF_ERROR(lease.call<Fn::DigestInit>(&mechanism));
      CK_BYTE data[] = {'x', 'y'};
      CRATON_RETURN_IF_ERROR(
          lease.call<Fn::DigestUpdate>(static_cast<CK_BYTE_PTR>(data), CK_ULONG{sizeof data}));
      CK_ULONG length = 0;
      CRATON_RETURN_IF_ERROR(
          lease.call<Fn::DigestFinal>(static_cast<CK_BYTE_PTR>(nullptr), &length));
      std::array<CK_BYTE, 32> out{};
      return lease.call<Fn::DigestFinal>(out.data(), &length);
    }),
                IsOk());
    // A search, ended by C_FindObjectsFinal.
    ASSERT_THAT(pool_->run([](Lease& lease) -> Result<void> {
      CRATON_RETURN_IF_ERROR(
          lease.call<Fn::FindObjectsInit>(static_cast<CK_ATTRIBUTE_PTR>(nullptr), CK_ULONG{0}));
      std::array<CK_OBJECT_HANDLE, 4> found{};
      CK_ULONG count = 0;
      CRATON_RETURN_IF_ERROR(lease.call<Fn::FindObjects>(found.data(), CK_ULONG{4}, &count));
      return lease.call<Fn::FindObjectsFinal>();
    }),
                IsOk());
  }
  EXPECT_EQ(pool_->counters().sessions_rebuilt, 0u);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
