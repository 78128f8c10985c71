// SPDX-License-Identifier: Apache-2.0
// The vendor quirk modes (docs/fault-shim.md, docs/vendors/): raw calls through the shim.
#include <algorithm>
#include <array>
#include <cstring>
#include <future>
#include <thread>
#include <vector>

#include "shim_fixture.h"

namespace craton::hsm::testing {
namespace {

using pkcs11::Fn;

class VendorModesTest : public ShimTest {};

TEST_F(VendorModesTest, GcmTokenIvRefusesCallerIvsAndWritesItsOwn) {
  shim_.set("gcm_token_iv", 1);
  const CK_SESSION_HANDLE session = open();
  const CK_OBJECT_HANDLE key = aes_key(session, false, label("gcm"));
  std::array<CK_BYTE, 12> iv{};
  iv[0] = 1;
  CK_GCM_PARAMS params{iv.data(), iv.size(), iv.size() * 8, nullptr, 0, 128};
  CK_MECHANISM mechanism{CKM_AES_GCM, &params, sizeof params};
  EXPECT_EQ(call<Fn::EncryptInit>(session, &mechanism, key), CKR_MECHANISM_PARAM_INVALID);
  iv.fill(0);
  ASSERT_EQ(call<Fn::EncryptInit>(session, &mechanism, key), CKR_OK);
  EXPECT_TRUE(std::ranges::any_of(iv, [](CK_BYTE b) { return b != 0; })) << "the token's IV";
  std::array<CK_BYTE, 4> data{'d', 'a', 't', 'a'};
  std::array<CK_BYTE, 32> out{};
  CK_ULONG length = out.size();
  EXPECT_EQ(call<Fn::Encrypt>(session, data.data(), CK_ULONG{data.size()}, out.data(), &length),
            CKR_OK);
  EXPECT_EQ(length, data.size() + 16);
}

TEST_F(VendorModesTest, RefusePrivateKeyCreateRefusesOnlyPrivateKeys) {
  shim_.set("refuse_private_key_create", 1);
  const CK_SESSION_HANDLE session = open();
  CK_OBJECT_CLASS private_key = CKO_PRIVATE_KEY;
  CK_KEY_TYPE ec = CKK_EC;
  CK_BBOOL no = CK_FALSE;
  std::array<CK_ATTRIBUTE, 3> refused{{{CKA_CLASS, &private_key, sizeof private_key},
                                       {CKA_KEY_TYPE, &ec, sizeof ec},
                                       {CKA_TOKEN, &no, sizeof no}}};
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  EXPECT_EQ(call<Fn::CreateObject>(session, refused.data(), CK_ULONG{refused.size()}, &object),
            CKR_TEMPLATE_INCONSISTENT);
  CK_OBJECT_CLASS data = CKO_DATA;
  std::array<CK_ATTRIBUTE, 2> allowed{
      {{CKA_CLASS, &data, sizeof data}, {CKA_TOKEN, &no, sizeof no}}};
  ASSERT_EQ(call<Fn::CreateObject>(session, allowed.data(), CK_ULONG{allowed.size()}, &object),
            CKR_OK);
  EXPECT_EQ(call<Fn::DestroyObject>(session, object), CKR_OK);
}

TEST_F(VendorModesTest, RefuseSecretKeyCreateRefusesOnlySecretKeys) {
  shim_.set("refuse_secret_key_create", 1);
  const CK_SESSION_HANDLE session = open();
  CK_OBJECT_CLASS secret_key = CKO_SECRET_KEY;
  CK_KEY_TYPE aes = CKK_AES;
  CK_BBOOL no = CK_FALSE;
  std::array<CK_BYTE, 32> value{};
  std::array<CK_ATTRIBUTE, 4> refused{{{CKA_CLASS, &secret_key, sizeof secret_key},
                                       {CKA_KEY_TYPE, &aes, sizeof aes},
                                       {CKA_TOKEN, &no, sizeof no},
                                       {CKA_VALUE, value.data(), value.size()}}};
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  EXPECT_EQ(call<Fn::CreateObject>(session, refused.data(), CK_ULONG{refused.size()}, &object),
            CKR_TEMPLATE_INCONSISTENT);
  EXPECT_EQ(shim_.stats().faults_injected, 1u);
  CK_OBJECT_CLASS data = CKO_DATA;
  std::array<CK_ATTRIBUTE, 2> allowed{
      {{CKA_CLASS, &data, sizeof data}, {CKA_TOKEN, &no, sizeof no}}};
  ASSERT_EQ(call<Fn::CreateObject>(session, allowed.data(), CK_ULONG{allowed.size()}, &object),
            CKR_OK);
  EXPECT_EQ(call<Fn::DestroyObject>(session, object), CKR_OK);
  // Private keys are the other switch's: the module answers (whatever it makes of this
  // incomplete template), not the shim.
  CK_OBJECT_CLASS private_key = CKO_PRIVATE_KEY;
  std::array<CK_ATTRIBUTE, 2> private_template{
      {{CKA_CLASS, &private_key, sizeof private_key}, {CKA_TOKEN, &no, sizeof no}}};
  object = CK_INVALID_HANDLE;
  if (call<Fn::CreateObject>(session, private_template.data(), CK_ULONG{private_template.size()},
                             &object) == CKR_OK) {
    EXPECT_EQ(call<Fn::DestroyObject>(session, object), CKR_OK);
  }
  EXPECT_EQ(shim_.stats().faults_injected, 1u);
}

class StrictTemplateModesTest : public ShimTest {
 protected:
  // C_GenerateKey of a session AES-128 key, with `more` added to the template.
  CK_RV generate(CK_SESSION_HANDLE session, const std::vector<CK_ATTRIBUTE>& more,
                 CK_OBJECT_HANDLE& key) const {
    static CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
    static CK_KEY_TYPE aes = CKK_AES;
    static CK_ULONG length = 16;
    static CK_BBOOL no = CK_FALSE;
    std::vector<CK_ATTRIBUTE> tmpl{{CKA_CLASS, &secret, sizeof secret},
                                   {CKA_KEY_TYPE, &aes, sizeof aes},
                                   {CKA_VALUE_LEN, &length, sizeof length},
                                   {CKA_TOKEN, &no, sizeof no}};
    tmpl.insert(tmpl.end(), more.begin(), more.end());
    CK_MECHANISM mechanism{CKM_AES_KEY_GEN, nullptr, 0};
    return call<Fn::GenerateKey>(session, &mechanism, tmpl.data(), CK_ULONG{tmpl.size()}, &key);
  }
  // A CK_BBOOL attribute of `key`.
  CK_BBOOL read(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key, CK_ATTRIBUTE_TYPE type) const {
    CK_BBOOL value = CK_FALSE;
    CK_ATTRIBUTE attribute{type, &value, sizeof value};
    EXPECT_EQ(call<Fn::GetAttributeValue>(session, key, &attribute, CK_ULONG{1}), CKR_OK);
    return value;
  }

  CK_BBOOL yes_ = CK_TRUE;
  CK_BBOOL no_ = CK_FALSE;
};

TEST_F(StrictTemplateModesTest, StrictUsageTemplatesRefusesOnlyExplicitFalseUsages) {
  shim_.set("strict_usage_templates", CKR_TEMPLATE_INCONSISTENT);
  const CK_SESSION_HANDLE session = open();
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  EXPECT_EQ(generate(session, {{CKA_ENCRYPT, &yes_, 1}, {CKA_SIGN, &no_, 1}}, key),
            CKR_TEMPLATE_INCONSISTENT);
  ASSERT_EQ(generate(session, {{CKA_ENCRYPT, &yes_, 1}, {CKA_SENSITIVE, &no_, 1}}, key), CKR_OK)
      << "usages true and other booleans false pass";
  EXPECT_EQ(call<Fn::DestroyObject>(session, key), CKR_OK);
}

TEST_F(StrictTemplateModesTest, GrantExtraUsageSetsTheUsageOnTheGeneratedKey) {
  shim_.set("grant_extra_usage", CKA_DERIVE);
  const CK_SESSION_HANDLE session = open();
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  ASSERT_EQ(generate(session, {{CKA_DERIVE, &no_, 1}}, key), CKR_OK);
  EXPECT_EQ(read(session, key, CKA_DERIVE), CK_TRUE);
  EXPECT_EQ(call<Fn::DestroyObject>(session, key), CKR_OK);
}

TEST_F(StrictTemplateModesTest, WeakenGeneratedKeysMakesThemNonSensitive) {
  shim_.set("weaken_generated_keys", 1);
  const CK_SESSION_HANDLE session = open();
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  ASSERT_EQ(generate(session, {{CKA_SENSITIVE, &yes_, 1}}, key), CKR_OK);
  EXPECT_EQ(read(session, key, CKA_SENSITIVE), CK_FALSE);
  EXPECT_EQ(call<Fn::DestroyObject>(session, key), CKR_OK);
}

TEST_F(VendorModesTest, NotThreadSafeRefusesTheSecondCallInside) {
  shim_.add("not_thread_safe=1;C_GetInfo:sleep=300:nth=1");
  auto slow = std::async(std::launch::async, [this] {
    CK_INFO info{};
    return call<Fn::GetInfo>(&info);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CK_INFO info{};
  EXPECT_EQ(call<Fn::GetInfo>(&info), CKR_GENERAL_ERROR);
  EXPECT_EQ(slow.get(), CKR_OK);
  EXPECT_EQ(shim_.stats().overlaps, 1u);
  EXPECT_EQ(call<Fn::GetInfo>(&info), CKR_OK) << "alone again";
}

TEST_F(VendorModesTest, OkAfterFinalizeAnswersBlindlyUntilInitialized) {
  shim_.set("ok_after_finalize", 1);
  ASSERT_EQ(call<Fn::Finalize>(static_cast<CK_VOID_PTR>(nullptr)), CKR_OK);
  CK_INFO info;
  std::memset(&info, 0xab, sizeof info);
  EXPECT_EQ(call<Fn::GetInfo>(&info), CKR_OK);
  EXPECT_EQ(info.manufacturerID[0], 0xab) << "nothing written";
  EXPECT_EQ(call<Fn::Finalize>(static_cast<CK_VOID_PTR>(nullptr)), CKR_OK) << "twice";
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  ASSERT_EQ(call<Fn::Initialize>(static_cast<CK_VOID_PTR>(&args)), CKR_OK);
  ASSERT_EQ(call<Fn::GetInfo>(&info), CKR_OK);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(info.manufacturerID), 7), "SoftHSM");
}

}  // namespace
}  // namespace craton::hsm::testing
