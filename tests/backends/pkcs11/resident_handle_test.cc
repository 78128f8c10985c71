// SPDX-License-Identifier: Apache-2.0
// KeyRef::handle on SoftHSM2: list_keys says which keys no URI names alone, and a handle names
// exactly one of them, only with the class, label and id the listing gave.
#include <craton/hsm/pkcs11_backend.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "backends/pkcs11/resident_test_util.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"
#include "support/softhsm_token.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

std::vector<ResidentKeyInfo> listed_with_label(Pkcs11Backend& backend, const std::string& label) {
  auto keys = backend.list_keys();
  EXPECT_THAT(keys, IsOk());
  std::vector<ResidentKeyInfo> found;
  if (!keys) return found;
  std::ranges::copy_if(*keys, std::back_inserter(found),
                       [&](const ResidentKeyInfo& info) { return info.label == label; });
  return found;
}

KeyRef by_handle(const ResidentKeyInfo& info) {
  KeyRef ref;
  ref.label = info.label;
  ref.id = info.id;
  ref.object_class = info.object_class;
  ref.handle = info.handle;
  return ref;
}

TEST(ResidentHandle, TwinsAreListedWithHandlesAndDestroyedOneByOne) {
  auto backend = make_pkcs11_backend(testing::softhsm_config());
  ASSERT_THAT(backend, IsOk());
  const std::vector<std::uint8_t> id{0x7a, 0x01};
  raw_generate_aes("handle-twin", id);
  raw_generate_aes("handle-twin", id);
  std::vector<ResidentKeyInfo> twins = listed_with_label(**backend, "handle-twin");
  ASSERT_EQ(twins.size(), 2u);
  EXPECT_NE(twins[0].handle, twins[1].handle);
  for (const ResidentKeyInfo& twin : twins) EXPECT_TRUE(twin.needs_handle);
  EXPECT_THAT((*backend)->find_key(by_label("handle-twin")), HasErrorCode(ErrorCode::KeyAmbiguous));

  auto found = (*backend)->find_key(by_handle(twins[0]));
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->kind(), KeyKind::Aes);
  ASSERT_THAT((*backend)->destroy_key(by_handle(twins[0])), IsOk());
  const std::vector<ResidentKeyInfo> left = listed_with_label(**backend, "handle-twin");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].handle, twins[1].handle);
  EXPECT_FALSE(left[0].needs_handle);  // the label names it alone now
  EXPECT_THAT((*backend)->destroy_key(by_label("handle-twin")), IsOk());
}

TEST(ResidentHandle, AHandleIsRefusedUnlessClassLabelAndIdAllMatch) {
  auto backend = make_pkcs11_backend(testing::softhsm_config());
  ASSERT_THAT(backend, IsOk());
  raw_generate_aes("handle-checked", {0x7a, 0x02});
  const std::vector<ResidentKeyInfo> keys = listed_with_label(**backend, "handle-checked");
  ASSERT_EQ(keys.size(), 1u);
  const KeyRef right = by_handle(keys[0]);

  KeyRef no_class = right;
  no_class.object_class.reset();
  EXPECT_THAT((*backend)->find_key(no_class), HasErrorCode(ErrorCode::InvalidArgument));
  KeyRef other_class = right;
  other_class.object_class = ObjectClass::PrivateKey;
  EXPECT_THAT((*backend)->destroy_key(other_class), HasErrorCode(ErrorCode::KeyNotFound));
  KeyRef id_left_out = right;  // the object has an id: a handle must say so
  id_left_out.id.reset();
  EXPECT_THAT((*backend)->destroy_key(id_left_out), HasErrorCode(ErrorCode::KeyNotFound));
  KeyRef other_label = right;
  other_label.label = "handle-other";
  EXPECT_THAT((*backend)->find_key(other_label), HasErrorCode(ErrorCode::KeyNotFound));
  KeyRef unknown = right;
  unknown.handle = 0xfffffff0;
  EXPECT_THAT((*backend)->destroy_key(unknown), HasErrorCode(ErrorCode::KeyNotFound));
  ASSERT_EQ(listed_with_label(**backend, "handle-checked").size(), 1u);  // nothing destroyed

  ASSERT_THAT((*backend)->destroy_key(right), IsOk());
  // Gone: the same handle now names nothing this reference allows.
  EXPECT_THAT((*backend)->find_key(right), HasErrorCode(ErrorCode::KeyNotFound));
}

// list_objects: the query narrows by class, label and id; attributes come only on request, and
// a key's secret value is never among them.
TEST(ResidentHandle, ListObjectsNarrowsAndReadsNoSecret) {
  auto backend = make_pkcs11_backend(testing::softhsm_config());
  ASSERT_THAT(backend, IsOk());
  const std::vector<std::uint8_t> value(32, 0x5c);
  raw_create_aes("objects-query", {0x7a, 0x03}, value);
  ObjectQuery query;
  query.label = "objects-query";
  auto plain = (*backend)->list_objects(query);
  ASSERT_THAT(plain, IsOk());
  ASSERT_EQ(plain->size(), 1u);
  const TokenObjectInfo& object = plain->front();
  EXPECT_EQ(object.object_class, ObjectClass::SecretKey);
  ASSERT_TRUE(object.key.has_value());
  EXPECT_EQ(object.key->kind, KeyKind::Aes);
  EXPECT_EQ(object.key->handle, object.handle);
  EXPECT_FALSE(object.needs_handle);
  EXPECT_TRUE(object.attributes.empty());

  query.object_class = ObjectClass::PublicKey;
  auto none = (*backend)->list_objects(query);
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->empty());
  query.object_class = ObjectClass::SecretKey;
  query.id = std::vector<std::uint8_t>{0x7a, 0x04};
  none = (*backend)->list_objects(query);
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->empty());

  query.id = std::vector<std::uint8_t>{0x7a, 0x03};
  query.attributes = true;
  auto detailed = (*backend)->list_objects(query);
  ASSERT_THAT(detailed, IsOk());
  ASSERT_EQ(detailed->size(), 1u);
  const auto& attributes = detailed->front().attributes;
  EXPECT_THAT(attributes, ::testing::Contains(ObjectAttribute{"CKA_VALUE", "<sensitive>"}));
  EXPECT_THAT(attributes, ::testing::Contains(ObjectAttribute{"CKA_KEY_TYPE", "CKK_AES"}));
  EXPECT_THAT(attributes, ::testing::Contains(ObjectAttribute{"CKA_LABEL", "objects-query"}));
  for (const ObjectAttribute& attribute : attributes) {
    EXPECT_EQ(attribute.value.find("5c5c5c5c"), std::string::npos) << attribute.name;
  }
  EXPECT_THAT((*backend)->destroy_key(by_label("objects-query")), IsOk());
}

// import_certificate and export_certificate: the DER comes back unchanged; a second certificate
// with the label or id, and DER that is not one certificate, are refused.
TEST(ResidentHandle, CertificatesRoundTripAndRefuseDuplicatesAndGarbage) {
  auto backend = make_pkcs11_backend(testing::softhsm_config());
  ASSERT_THAT(backend, IsOk());
  const testing::TempDir dir;
  const auto der_file = dir.path() / "cert.der";
  const testing::CommandResult made = testing::run_command(fmt::format(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '{}' "
      "-subj /CN=api-cert -days 1 -outform DER -out '{}' 2>&1",
      (dir.path() / "k.pem").string(), der_file.string()));
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::ifstream in(der_file, std::ios::binary);
  const std::vector<std::uint8_t> der((std::istreambuf_iterator<char>(in)),
                                      std::istreambuf_iterator<char>());
  ASSERT_GT(der.size(), 100u);

  const CertificateSpec spec{.label = "api-cert", .id = {0x7a, 0x05}};
  auto stored = (*backend)->import_certificate(der, spec);
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->object_class, ObjectClass::Certificate);
  EXPECT_EQ(stored->kind, "X.509");
  EXPECT_EQ(stored->value_bytes, der.size());

  KeyRef by_id_ref;
  by_id_ref.id = spec.id;
  auto exported = (*backend)->export_certificate(by_id_ref);
  ASSERT_THAT(exported, IsOk());
  EXPECT_EQ(*exported, der);
  KeyRef wrong_class = by_id_ref;
  wrong_class.object_class = ObjectClass::PrivateKey;
  EXPECT_THAT((*backend)->export_certificate(wrong_class),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT((*backend)->export_certificate(by_label("api-none")),
              HasErrorCode(ErrorCode::KeyNotFound));

  EXPECT_THAT((*backend)->import_certificate(der, spec), HasErrorCode(ErrorCode::KeyAlreadyExists));
  EXPECT_THAT((*backend)->import_certificate(der, {.label = "api-cert-2", .id = spec.id}),
              HasErrorCode(ErrorCode::KeyAlreadyExists));
  std::vector<std::uint8_t> cut(der.begin(), der.begin() + 80);
  EXPECT_THAT((*backend)->import_certificate(cut, {.label = "api-cut", .id = {0x7a, 0x06}}),
              HasErrorCode(ErrorCode::InvalidArgument));
  std::vector<std::uint8_t> trailing = der;
  trailing.push_back(0);
  EXPECT_THAT((*backend)->import_certificate(trailing, {.label = "api-cut", .id = {0x7a, 0x06}}),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT((*backend)->import_certificate(der, {.label = "", .id = {0x7a, 0x06}}),
              HasErrorCode(ErrorCode::InvalidArgument));
  ObjectQuery certs;
  certs.object_class = ObjectClass::Certificate;
  auto listed = (*backend)->list_objects(certs);
  ASSERT_THAT(listed, IsOk());
  EXPECT_EQ(
      std::ranges::count_if(
          *listed, [](const TokenObjectInfo& info) { return info.label.starts_with("api-"); }),
      1);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
