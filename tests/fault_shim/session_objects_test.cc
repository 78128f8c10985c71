// SPDX-License-Identifier: Apache-2.0
// The quirk modes of tokens without session objects: reject_session_objects refuses a
// CKA_TOKEN=false (or absent) template, persist_session_objects makes it a token object.
#include <optional>
#include <vector>

#include "shim_fixture.h"

namespace craton::hsm::testing {
namespace {

using pkcs11::Fn;

class SessionObjectsTest : public ShimTest {
 protected:
  // C_CreateObject of a public CKO_DATA object; `token` nullopt leaves CKA_TOKEN out.
  CK_RV create_data(CK_SESSION_HANDLE session, std::optional<bool> token, const std::string& text,
                    CK_OBJECT_HANDLE& object) const {
    CK_OBJECT_CLASS data_class = CKO_DATA;
    CK_BBOOL on_token = token.value_or(false) ? CK_TRUE : CK_FALSE;
    CK_BBOOL no = CK_FALSE;
    std::string label_text = text;
    std::vector<CK_ATTRIBUTE> attributes{
        {CKA_CLASS, &data_class, sizeof data_class},
        {CKA_PRIVATE, &no, sizeof no},
        {CKA_LABEL, label_text.data(), static_cast<CK_ULONG>(label_text.size())}};
    if (token) attributes.push_back({CKA_TOKEN, &on_token, sizeof on_token});
    return call<Fn::CreateObject>(session, attributes.data(),
                                  static_cast<CK_ULONG>(attributes.size()), &object);
  }
  CK_BBOOL token_flag(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object) const {
    CK_BBOOL value = CK_FALSE;
    CK_ATTRIBUTE attribute{CKA_TOKEN, &value, sizeof value};
    EXPECT_EQ(call<Fn::GetAttributeValue>(session, object, &attribute, CK_ULONG{1}), CKR_OK);
    return value;
  }
  unsigned long live_objects() const { return shim_.stats().live_objects; }
};

TEST_F(SessionObjectsTest, RejectRefusesSessionTemplatesAndKeepsTokenOnes) {
  shim_.add("reject_session_objects=1");
  const CK_SESSION_HANDLE session = open();
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  EXPECT_EQ(create_data(session, false, label("false"), object), CKR_ATTRIBUTE_VALUE_INVALID);
  EXPECT_EQ(create_data(session, std::nullopt, label("absent"), object),
            CKR_ATTRIBUTE_VALUE_INVALID);
  CK_MECHANISM mechanism{CKM_AES_KEY_GEN, nullptr, 0};
  CK_ULONG length = 16;
  CK_BBOOL no = CK_FALSE;
  CK_ATTRIBUTE key_template[] = {{CKA_VALUE_LEN, &length, sizeof length},
                                 {CKA_TOKEN, &no, sizeof no}};
  EXPECT_EQ(call<Fn::GenerateKey>(session, &mechanism, key_template, CK_ULONG{2}, &object),
            CKR_ATTRIBUTE_VALUE_INVALID);
  EXPECT_TRUE(find(session, label("false")).empty());
  // A token object is made as usual.
  ASSERT_EQ(create_data(session, true, label("token"), object), CKR_OK);
  EXPECT_EQ(call<Fn::DestroyObject>(session, object), CKR_OK);
  // Off again: session objects are made.
  shim_.set("reject_session_objects", 0);
  EXPECT_EQ(create_data(session, false, label("after"), object), CKR_OK);
}

TEST_F(SessionObjectsTest, PersistMakesSessionTemplatesTokenObjects) {
  shim_.add("persist_session_objects=1");
  const unsigned long before = live_objects();
  const CK_SESSION_HANDLE session = open();
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  ASSERT_EQ(create_data(session, false, label("false"), object), CKR_OK);
  EXPECT_EQ(token_flag(session, object), CK_TRUE);
  ASSERT_EQ(create_data(session, std::nullopt, label("absent"), object), CKR_OK);
  EXPECT_EQ(token_flag(session, object), CK_TRUE);
  const CK_OBJECT_HANDLE key = aes_key(session, false, label("key"));
  EXPECT_EQ(token_flag(session, key), CK_TRUE);
  EXPECT_EQ(live_objects(), before + 3);
  // They outlive their session, and the counters say so.
  ASSERT_EQ(call<Fn::CloseSession>(session), CKR_OK);
  EXPECT_EQ(live_objects(), before + 3);
  const CK_SESSION_HANDLE other = open();
  for (const char* suffix : {"false", "absent", "key"}) {
    const auto found = find(other, label(suffix));
    ASSERT_EQ(found.size(), 1u) << suffix;
    EXPECT_EQ(call<Fn::DestroyObject>(other, found[0]), CKR_OK);
  }
  EXPECT_EQ(live_objects(), before);
}

TEST_F(SessionObjectsTest, WithoutTheSwitchesSessionObjectsDieWithTheirSession) {
  const unsigned long before = live_objects();
  const CK_SESSION_HANDLE session = open();
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  ASSERT_EQ(create_data(session, false, label("plain"), object), CKR_OK);
  EXPECT_EQ(token_flag(session, object), CK_FALSE);
  ASSERT_EQ(call<Fn::CloseSession>(session), CKR_OK);
  EXPECT_EQ(live_objects(), before);
  EXPECT_TRUE(find(open(), label("plain")).empty());
}

TEST_F(SessionObjectsTest, TheSwitchesAreSpecItems) {
  EXPECT_TRUE(shim_.try_add("reject_session_objects=1").empty());
  EXPECT_TRUE(shim_.try_add("persist_session_objects=1").empty());
}

}  // namespace
}  // namespace craton::hsm::testing
