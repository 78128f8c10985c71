// SPDX-License-Identifier: Apache-2.0
// Object search and single-attribute reads on a lent session: every match across batches, the
// search always ended, missing attributes read as nullopt, other failures kept.
#include "pkcs11/session/object_search.h"

#include <string>
#include <vector>

#include "pkcs11/pool/session_pool.h"
#include "pool_fixture.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

static_assert(LentSession<Lease>);
static_assert(!LentSession<Session>, "a bare session's calls skip the lease's bookkeeping");
static_assert(!LentSession<const Session>);

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// A public session data object labelled `label`.
Result<CK_OBJECT_HANDLE> create_data_object(Lease& lease, const std::string& label) {
  AttributeTemplate tmpl;
  const std::string value = "x";
  tmpl.add_ulong(CKA_CLASS, CKO_DATA)
      .add_bool(CKA_TOKEN, false)
      .add_bool(CKA_PRIVATE, false)
      .add_bytes(CKA_LABEL, bytes_of(label))
      .add_bytes(CKA_VALUE, bytes_of(value));
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(lease.call<Fn::CreateObject>(tmpl.data(), tmpl.size(), &object));
  return object;
}

Result<std::vector<CK_OBJECT_HANDLE>> find_by_label(Lease& lease, const std::string& label) {
  AttributeTemplate tmpl;
  tmpl.add_ulong(CKA_CLASS, CKO_DATA).add_bytes(CKA_LABEL, bytes_of(label));
  return find_objects(lease, tmpl);
}

using ObjectSearchTest = LeasedSessionTest;

TEST_F(ObjectSearchTest, FindsEveryMatchAcrossBatchesAndEndsTheSearch) {
  // More than one batch of 64.
  std::vector<CK_OBJECT_HANDLE> created;
  for (int i = 0; i < 70; ++i) {
    auto object = create_data_object(*lease_, "search-batches");
    ASSERT_THAT(object, IsOk());
    created.push_back(*object);
  }
  ASSERT_THAT(create_data_object(*lease_, "search-other"), IsOk());

  auto found = find_by_label(*lease_, "search-batches");
  ASSERT_THAT(found, IsOk());
  std::ranges::sort(*found);
  std::ranges::sort(created);
  EXPECT_EQ(*found, created);
  // Ended: a second search on the same session starts, and the session is not rebuilt.
  EXPECT_THAT(find_by_label(*lease_, "search-other"), IsOk());
  EXPECT_EQ(pool_->counters().sessions_rebuilt, 0u);
}

TEST_F(ObjectSearchTest, NoMatchIsAnEmptyList) {
  auto found = find_by_label(*lease_, "search-nothing");
  ASSERT_THAT(found, IsOk());
  EXPECT_TRUE(found->empty());
}

TEST(ObjectSearchOutcomeTest, TheFirstFailureWins) {
  const std::vector<CK_OBJECT_HANDLE> found{1, 2};
  const HsmError batch(ErrorCode::DeviceError, "batch failed");
  const HsmError final(ErrorCode::SessionInvalid, "final failed");

  auto both_ok = object_search::outcome(found, {}, {});
  ASSERT_THAT(both_ok, IsOk());
  EXPECT_EQ(*both_ok, found);
  EXPECT_THAT(object_search::outcome(found, {}, std::unexpected(final)),
              HasErrorCode(ErrorCode::SessionInvalid));
  EXPECT_THAT(object_search::outcome(found, std::unexpected(batch), {}),
              HasErrorCode(ErrorCode::DeviceError));
  EXPECT_THAT(object_search::outcome(found, std::unexpected(batch), std::unexpected(final)),
              HasErrorCode(ErrorCode::DeviceError));
}

TEST_F(ObjectSearchTest, AttributesTheObjectLacksReadAsNullopt) {
  auto object = create_data_object(*lease_, "search-attributes");
  ASSERT_THAT(object, IsOk());

  auto object_class = read_ulong_attribute(*lease_, *object, CKA_CLASS);
  ASSERT_THAT(object_class, IsOk());
  EXPECT_EQ(*object_class, std::optional<CK_ULONG>{CKO_DATA});
  auto token = read_bool_attribute(*lease_, *object, CKA_TOKEN);
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(*token, std::optional<bool>{false});
  auto value = read_optional_bytes(*lease_, *object, CKA_VALUE);
  ASSERT_THAT(value, IsOk());
  EXPECT_EQ(*value, std::optional<std::vector<std::uint8_t>>{{'x'}});

  // A data object has no key type, no CKA_SIGN, no EC point.
  auto key_type = read_ulong_attribute(*lease_, *object, CKA_KEY_TYPE);
  ASSERT_THAT(key_type, IsOk());
  EXPECT_FALSE(key_type->has_value());
  auto sign = read_bool_attribute(*lease_, *object, CKA_SIGN);
  ASSERT_THAT(sign, IsOk());
  EXPECT_FALSE(sign->has_value());
  auto point = read_optional_bytes(*lease_, *object, CKA_EC_POINT);
  ASSERT_THAT(point, IsOk());
  EXPECT_FALSE(point->has_value());
}

TEST_F(ObjectSearchTest, AHandleThatNamesNothingIsAnErrorNotAMissingAttribute) {
  auto object = create_data_object(*lease_, "search-gone");
  ASSERT_THAT(object, IsOk());
  ASSERT_THAT(lease_->call<Fn::DestroyObject>(*object), IsOk());

  EXPECT_THAT(read_ulong_attribute(*lease_, *object, CKA_CLASS),
              HasErrorCode(ErrorCode::KeyHandleInvalid));
  EXPECT_THAT(read_bool_attribute(*lease_, *object, CKA_TOKEN),
              HasErrorCode(ErrorCode::KeyHandleInvalid));
  EXPECT_THAT(read_optional_bytes(*lease_, *object, CKA_VALUE),
              HasErrorCode(ErrorCode::KeyHandleInvalid));
}

}  // namespace
}  // namespace craton::hsm::pkcs11
