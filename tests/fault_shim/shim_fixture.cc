// SPDX-License-Identifier: Apache-2.0
// The shim tests' fixture: sessions, keys and searches as raw calls.
#include "shim_fixture.h"

#include "support/matchers.h"

namespace craton::hsm::testing {

using pkcs11::Fn;

void ShimTest::SetUp() {
  auto module = pkcs11::Module::acquire(FaultShim::module_options());
  ASSERT_THAT(module, IsOk());
  module_ = *module;
  slot_ = static_cast<CK_SLOT_ID>(slot_of(*module_));
}

void ShimTest::TearDown() {
  shim_.reset();
  if (module_) call<Fn::CloseAllSessions>(slot_);
}

CK_RV ShimTest::try_open(CK_SESSION_HANDLE& session) const {
  return call<Fn::OpenSession>(slot_, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr,
                               &session);
}

CK_SESSION_HANDLE ShimTest::open(bool login) {
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  EXPECT_EQ(try_open(session), CKR_OK);
  if (login) {
    std::string pin(kUserPin);
    const CK_RV rv =
        call<Fn::Login>(session, CKU_USER, reinterpret_cast<CK_UTF8CHAR_PTR>(pin.data()),
                        static_cast<CK_ULONG>(pin.size()));
    EXPECT_TRUE(rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) << rv;
  }
  return session;
}

CK_OBJECT_HANDLE ShimTest::aes_key(CK_SESSION_HANDLE session, bool token,
                                   const std::string& label) {
  CK_MECHANISM mechanism{CKM_AES_KEY_GEN, nullptr, 0};
  CK_ULONG length = 16;
  CK_BBOOL on_token = token ? CK_TRUE : CK_FALSE;
  CK_BBOOL yes = CK_TRUE;
  std::string text = label;
  CK_ATTRIBUTE attributes[] = {
      {CKA_VALUE_LEN, &length, sizeof length},
      {CKA_TOKEN, &on_token, sizeof on_token},
      {CKA_ENCRYPT, &yes, sizeof yes},
      {CKA_WRAP, &yes, sizeof yes},
      {CKA_EXTRACTABLE, &yes, sizeof yes},
      {CKA_LABEL, text.data(), static_cast<CK_ULONG>(text.size())},
  };
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  EXPECT_EQ(call<Fn::GenerateKey>(session, &mechanism, attributes, CK_ULONG{6}, &key), CKR_OK);
  return key;
}

std::vector<CK_OBJECT_HANDLE> ShimTest::find(CK_SESSION_HANDLE session,
                                             const std::string& label) const {
  std::string text = label;
  CK_ATTRIBUTE query{CKA_LABEL, text.data(), static_cast<CK_ULONG>(text.size())};
  std::vector<CK_OBJECT_HANDLE> found(16);
  CK_ULONG count = 0;
  EXPECT_EQ(call<Fn::FindObjectsInit>(session, &query, CK_ULONG{1}), CKR_OK);
  EXPECT_EQ(call<Fn::FindObjects>(session, found.data(), CK_ULONG{16}, &count), CKR_OK);
  EXPECT_EQ(call<Fn::FindObjectsFinal>(session), CKR_OK);
  found.resize(count);
  return found;
}

CK_RV ShimTest::random(CK_SESSION_HANDLE session) const {
  CK_BYTE bytes[8];
  return call<Fn::GenerateRandom>(session, bytes, CK_ULONG{sizeof bytes});
}

std::string ShimTest::label(const std::string& suffix) {
  return std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
         suffix;
}

}  // namespace craton::hsm::testing
