// SPDX-License-Identifier: Apache-2.0
// Reading attribute values back on a lent session: the two-call convention, secret values into
// SecretBytes, and the refusals a module can answer with.
#include "pkcs11/session/readback.h"
#include "pkcs11/session/output_length.h"

#include <array>
#include <vector>

#include "pkcs11/pool/session_pool.h"
#include "pool_fixture.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

constexpr std::array<std::uint8_t, 24> kSecret{1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                                               13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};

class ReadbackTest : public LeasedSessionTest {
 protected:
  // A generic secret holding kSecret; readable unless `sensitive`.
  Result<CK_OBJECT_HANDLE> create_secret(bool sensitive) {
    AttributeTemplate tmpl;
    if (sensitive) {
      tmpl.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
          .add_ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
          .add_bool(CKA_TOKEN, false)
          .add_bool(CKA_SENSITIVE, true);
    } else {
      add_readable_secret(tmpl, pool_->logs_in());
    }
    tmpl.add_bytes(CKA_VALUE, kSecret);
    CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
    CRATON_RETURN_IF_ERROR(lease_->call<Fn::CreateObject>(tmpl.data(), tmpl.size(), &object));
    return object;
  }
};

TEST_F(ReadbackTest, AReadableSecretComesBackWhole) {
  auto object = create_secret(false);
  ASSERT_THAT(object, IsOk());
  const auto reads_before = module_->call_count(Fn::GetAttributeValue);
  auto value = read_secret_attribute(*lease_, *object, CKA_VALUE);
  ASSERT_THAT(value, IsOk());
  EXPECT_TRUE(std::ranges::equal(value->expose(), kSecret));
  EXPECT_EQ(module_->call_count(Fn::GetAttributeValue), reads_before + 2) << "length, then value";

  auto length = read_public_attribute(*lease_, *object, CKA_VALUE_LEN);
  ASSERT_THAT(length, IsOk());
  EXPECT_EQ(length->size(), sizeof(CK_ULONG));
}

TEST_F(ReadbackTest, AnEmptyValueTakesOneCall) {
  AttributeTemplate tmpl;
  tmpl.add_ulong(CKA_CLASS, CKO_DATA).add_bool(CKA_TOKEN, false).add_bool(CKA_PRIVATE, false);
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  ASSERT_THAT(lease_->call<Fn::CreateObject>(tmpl.data(), tmpl.size(), &object), IsOk());
  const auto reads_before = module_->call_count(Fn::GetAttributeValue);
  auto value = read_public_attribute(*lease_, object, CKA_VALUE);
  ASSERT_THAT(value, IsOk());
  EXPECT_TRUE(value->empty());
  EXPECT_EQ(module_->call_count(Fn::GetAttributeValue), reads_before + 1);
}

TEST_F(ReadbackTest, ASensitiveValueIsRefused) {
  auto object = create_secret(true);
  ASSERT_THAT(object, IsOk());
  EXPECT_THAT(read_secret_attribute(*lease_, *object, CKA_VALUE),
              HasErrorCode(ErrorCode::AttributeSensitive));
  // The session is fine afterwards.
  EXPECT_THAT(read_public_attribute(*lease_, *object, CKA_VALUE_LEN), IsOk());
}

TEST_F(ReadbackTest, AnAttributeTheObjectLacksIsAttributeInvalid) {
  auto object = create_secret(false);
  ASSERT_THAT(object, IsOk());
  EXPECT_THAT(read_public_attribute(*lease_, *object, CKA_MODULUS),
              HasErrorCode(ErrorCode::AttributeInvalid));
}

// With CKR_OK, an unavailable length breaks PKCS#11 v2.40 §5.7 (a sensitive value comes with
// CKR_ATTRIBUTE_SENSITIVE, as above): the module failed, and the attribute is named.
TEST(ReadbackLengthTest, AnUnavailableLengthWithOkAndAGrownValueAreFailures) {
  EXPECT_THAT(attribute_length::reported(CKA_VALUE, CK_UNAVAILABLE_INFORMATION),
              HasErrorCode(ErrorCode::Pkcs11Failure));
  auto reported = attribute_length::reported(CKA_VALUE, 32);
  ASSERT_THAT(reported, IsOk());
  EXPECT_EQ(*reported, 32u);

  EXPECT_THAT(attribute_length::written(CKA_VALUE, 33, 32), HasErrorCode(ErrorCode::Pkcs11Failure));
  auto written = attribute_length::written(CKA_VALUE, 16, 32);
  ASSERT_THAT(written, IsOk());
  EXPECT_EQ(*written, 16u);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
