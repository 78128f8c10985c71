// SPDX-License-Identifier: Apache-2.0
// The key-to-template mapping: every key kind's template has its class's usage attributes and
// nothing else, and SoftHSM2 stores it as the object it describes.
#include "pkcs11/session/key_template.h"

#include <craton/hsm/software_backend.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "keys/key_material.h"
#include "pkcs11/pool/session_pool.h"
#include "pkcs11/session/object_search.h"
#include "pool_fixture.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::IsOk;

struct KindCase {
  KeyAlgorithm algorithm;
  bool public_half;
  CK_OBJECT_CLASS object_class;
  CK_KEY_TYPE key_type;
};

std::string case_name(const ::testing::TestParamInfo<KindCase>& info) {
  static constexpr const char* kNames[] = {"Aes",           "RsaPrivate", "RsaPublic",
                                           "EcPrivate",     "EcPublic",   "Ed25519Private",
                                           "Ed25519Public", "Hmac"};
  return kNames[info.index];
}

const std::vector<CK_ATTRIBUTE_TYPE>& usages_of(CK_OBJECT_CLASS object_class) {
  static const std::vector<CK_ATTRIBUTE_TYPE> secret{
      CKA_ENCRYPT, CKA_DECRYPT, CKA_SIGN, CKA_VERIFY, CKA_WRAP, CKA_UNWRAP, CKA_DERIVE};
  static const std::vector<CK_ATTRIBUTE_TYPE> private_key{CKA_DECRYPT, CKA_SIGN, CKA_UNWRAP,
                                                          CKA_DERIVE};
  static const std::vector<CK_ATTRIBUTE_TYPE> public_key{CKA_ENCRYPT, CKA_VERIFY, CKA_WRAP,
                                                         CKA_DERIVE};
  if (object_class == CKO_SECRET_KEY) return secret;
  return object_class == CKO_PRIVATE_KEY ? private_key : public_key;
}

bool is_usage(CK_ATTRIBUTE_TYPE type) {
  return usages_of(CKO_SECRET_KEY).end() != std::ranges::find(usages_of(CKO_SECRET_KEY), type);
}

bool granted(CK_ATTRIBUTE_TYPE type) {
  return type == CKA_SIGN || type == CKA_VERIFY;
}

class KeyTemplateTest : public LeasedSessionTest, public ::testing::WithParamInterface<KindCase> {
 protected:
  void SetUp() override {
    LeasedSessionTest::SetUp();
    if (HasFatalFailure()) return;
    // One key per algorithm for the whole suite: RSA generation is slow.
    static std::map<KeyAlgorithm, Key> generated;
    auto found = generated.find(GetParam().algorithm);
    if (found == generated.end()) {
      auto key = make_software_backend()->generate_key(GetParam().algorithm);
      ASSERT_THAT(key, IsOk());
      found = generated.emplace(GetParam().algorithm, std::move(*key)).first;
    }
    if (!GetParam().public_half) {
      key_.emplace(found->second);
      return;
    }
    auto public_key = found->second.public_key();
    ASSERT_THAT(public_key, IsOk());
    key_.emplace(std::move(*public_key));
  }

  std::optional<Key> key_;
};

TEST_P(KeyTemplateTest, CarriesTheClassUsagesEachSetAsGranted) {
  const KindCase& c = GetParam();
  AttributeTemplate tmpl;
  ObjectOptions options;
  options.granted = granted;
  add_key_attributes(tmpl, key_->material(), options);

  std::vector<CK_ATTRIBUTE_TYPE> usages;
  for (CK_ULONG i = 0; i < tmpl.size(); ++i) {
    const CK_ATTRIBUTE& attribute = tmpl.data()[i];
    if (attribute.type == CKA_CLASS) {
      EXPECT_EQ(*static_cast<const CK_OBJECT_CLASS*>(attribute.pValue), c.object_class);
    }
    if (attribute.type == CKA_KEY_TYPE) {
      EXPECT_EQ(*static_cast<const CK_KEY_TYPE*>(attribute.pValue), c.key_type);
    }
    EXPECT_NE(attribute.type, CKA_LABEL) << "no label unless asked for";
    EXPECT_NE(attribute.type, CKA_VALUE_LEN) << "v2.40 §2.8.2: not with a value";
    if (!is_usage(attribute.type)) continue;
    usages.push_back(attribute.type);
    ASSERT_EQ(attribute.ulValueLen, sizeof(CK_BBOOL));
    EXPECT_EQ(*static_cast<const CK_BBOOL*>(attribute.pValue) == CK_TRUE, granted(attribute.type))
        << "usage 0x" << std::hex << attribute.type;
  }
  EXPECT_EQ(usages, usages_of(c.object_class));
}

TEST_P(KeyTemplateTest, SoftHsmStoresTheObjectTheTemplateDescribes) {
  const KindCase& c = GetParam();

  AttributeTemplate tmpl;
  {
    // Label and id are copied: their buffers may go before the template is used.
    const std::string label = "key-template-test";
    const std::vector<std::uint8_t> id{0x0a, 0x0b};
    ObjectOptions options;
    options.private_objects = pool_->logs_in();
    options.label = {reinterpret_cast<const std::uint8_t*>(label.data()), label.size()};
    options.id = id;
    options.granted = granted;
    add_key_attributes(tmpl, key_->material(), options);
  }
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  ASSERT_THAT(lease_->call<Fn::CreateObject>(tmpl.data(), tmpl.size(), &object), IsOk());

  EXPECT_EQ(*read_ulong_attribute(*lease_, object, CKA_CLASS), c.object_class);
  EXPECT_EQ(*read_ulong_attribute(*lease_, object, CKA_KEY_TYPE), c.key_type);
  EXPECT_EQ(*read_bool_attribute(*lease_, object, CKA_TOKEN), false);
  const auto label = read_optional_bytes(*lease_, object, CKA_LABEL);
  ASSERT_THAT(label, IsOk());
  ASSERT_TRUE(label->has_value());
  EXPECT_EQ(std::string((*label)->begin(), (*label)->end()), "key-template-test");
  EXPECT_EQ(*read_optional_bytes(*lease_, object, CKA_ID), std::vector<std::uint8_t>({0x0a, 0x0b}));
  if (c.object_class != CKO_PUBLIC_KEY) {
    EXPECT_EQ(*read_bool_attribute(*lease_, object, CKA_SENSITIVE), true);
    EXPECT_EQ(*read_bool_attribute(*lease_, object, CKA_EXTRACTABLE), false);
  }
  for (const CK_ATTRIBUTE_TYPE usage : usages_of(c.object_class)) {
    EXPECT_EQ(*read_bool_attribute(*lease_, object, usage), granted(usage))
        << "usage 0x" << std::hex << usage;
  }
  EXPECT_THAT(lease_->call<Fn::DestroyObject>(object), IsOk());
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, KeyTemplateTest,
    ::testing::Values(KindCase{KeyAlgorithm::Aes256, false, CKO_SECRET_KEY, CKK_AES},
                      KindCase{KeyAlgorithm::Rsa2048, false, CKO_PRIVATE_KEY, CKK_RSA},
                      KindCase{KeyAlgorithm::Rsa2048, true, CKO_PUBLIC_KEY, CKK_RSA},
                      KindCase{KeyAlgorithm::EcP384, false, CKO_PRIVATE_KEY, CKK_EC},
                      KindCase{KeyAlgorithm::EcP384, true, CKO_PUBLIC_KEY, CKK_EC},
                      KindCase{KeyAlgorithm::Ed25519, false, CKO_PRIVATE_KEY, CKK_EC_EDWARDS},
                      KindCase{KeyAlgorithm::Ed25519, true, CKO_PUBLIC_KEY, CKK_EC_EDWARDS},
                      KindCase{KeyAlgorithm::Hmac256, false, CKO_SECRET_KEY, CKK_GENERIC_SECRET}),
    case_name);

TEST(DerOctetStringTest, ShortAndLongLengths) {
  const std::vector<std::uint8_t> point65(65, 0x04);
  const auto short_form = der_octet_string(point65);
  ASSERT_EQ(short_form.size(), 67u);
  EXPECT_EQ(short_form[0], 0x04);
  EXPECT_EQ(short_form[1], 65);
  EXPECT_TRUE(std::equal(point65.begin(), point65.end(), short_form.begin() + 2));

  const std::vector<std::uint8_t> point133(133, 0x04);  // P-521
  const auto long_form = der_octet_string(point133);
  ASSERT_EQ(long_form.size(), 136u);
  EXPECT_EQ(long_form[1], 0x81);
  EXPECT_EQ(long_form[2], 133);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
