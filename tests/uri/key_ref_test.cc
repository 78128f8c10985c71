// SPDX-License-Identifier: Apache-2.0
// KeyUsages (defaults, text form) and KeyRef (from a URI, back to one).
#include <craton/hsm/resident_keys.h>

#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr KeyUsages kSignVerify{.sign = true, .verify = true};
constexpr KeyUsages kEncryptDecrypt{.encrypt = true, .decrypt = true};

TEST(KeyUsagesDefaults, SigningAlgorithmsSignAndVerifyAesEncryptsAndDecrypts) {
  for (const KeyAlgorithm algorithm :
       {KeyAlgorithm::Rsa2048, KeyAlgorithm::Rsa3072, KeyAlgorithm::Rsa4096, KeyAlgorithm::EcP256,
        KeyAlgorithm::EcP384, KeyAlgorithm::Ed25519, KeyAlgorithm::Hmac256,
        KeyAlgorithm::Hmac512}) {
    EXPECT_EQ(KeyUsages::defaults_for(algorithm), kSignVerify) << key_algorithm_name(algorithm);
  }
  for (const KeyAlgorithm algorithm :
       {KeyAlgorithm::Aes128, KeyAlgorithm::Aes192, KeyAlgorithm::Aes256}) {
    EXPECT_EQ(KeyUsages::defaults_for(algorithm), kEncryptDecrypt) << key_algorithm_name(algorithm);
  }
}

TEST(KeyUsagesText, ParsesWordsInAnyOrderAndPrintsInDeclarationOrder) {
  auto usages = KeyUsages::parse("decrypt,sign, verify");
  ASSERT_THAT(usages, IsOk());
  EXPECT_EQ(*usages, (KeyUsages{.sign = true, .verify = true, .decrypt = true}));
  EXPECT_EQ(usages->to_string(), "sign,verify,decrypt");
  EXPECT_EQ(KeyUsages{}.to_string(), "");
  EXPECT_EQ(KeyUsages::parse("").value(), KeyUsages{});
  EXPECT_EQ(KeyUsages::parse("wrap,unwrap,derive,encrypt").value().to_string(),
            "encrypt,wrap,unwrap,derive");
}

// Every one of the 128 combinations survives to_string and parse.
TEST(KeyUsagesText, EveryCombinationRoundTrips) {
  for (unsigned bits = 0; bits < 128; ++bits) {
    const KeyUsages usages{.sign = (bits & 1) != 0,
                           .verify = (bits & 2) != 0,
                           .encrypt = (bits & 4) != 0,
                           .decrypt = (bits & 8) != 0,
                           .wrap = (bits & 16) != 0,
                           .unwrap = (bits & 32) != 0,
                           .derive = (bits & 64) != 0};
    auto parsed = KeyUsages::parse(usages.to_string());
    ASSERT_THAT(parsed, IsOk()) << usages.to_string();
    EXPECT_EQ(*parsed, usages) << usages.to_string();
  }
}

TEST(KeyUsagesText, RefusesUnknownEmptyAndRepeatedWords) {
  const auto unknown = KeyUsages::parse("sign,bogus");
  ASSERT_THAT(unknown, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(unknown.error().message(), HasSubstr("bogus"));
  EXPECT_THAT(KeyUsages::parse("SIGN"), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(KeyUsages::parse("sign,,verify"), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(KeyUsages::parse("sign,"), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(KeyUsages::parse(","), HasErrorCode(ErrorCode::InvalidArgument));
  const auto twice = KeyUsages::parse("sign,verify,sign");
  ASSERT_THAT(twice, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(twice.error().message(), HasSubstr("sign given twice"));
}

TEST(KeyRefFromUri, TakesLabelIdAndClass) {
  auto ref = KeyRef::parse_uri("pkcs11:token=ci-token;object=signing-1;id=%01%02;type=private");
  ASSERT_THAT(ref, IsOk());
  EXPECT_EQ(ref->label, "signing-1");
  EXPECT_EQ(ref->id, (std::vector<std::uint8_t>{1, 2}));
  EXPECT_EQ(ref->object_class, ObjectClass::PrivateKey);
  // The token part is the configuration's business, not the key reference's.
  EXPECT_EQ(ref->to_uri(), "pkcs11:object=signing-1;id=%01%02;type=private");
}

TEST(KeyRefFromUri, LabelOrIdAloneIsEnough) {
  auto by_label = KeyRef::parse_uri("pkcs11:object=hmac-key");
  ASSERT_THAT(by_label, IsOk());
  EXPECT_EQ(by_label->label, "hmac-key");
  EXPECT_FALSE(by_label->id.has_value());
  EXPECT_FALSE(by_label->object_class.has_value());
  auto by_id = KeyRef::parse_uri("pkcs11:id=%FF;type=secret-key");
  ASSERT_THAT(by_id, IsOk());
  EXPECT_FALSE(by_id->label.has_value());
  EXPECT_EQ(by_id->id, std::vector<std::uint8_t>{0xff});
  EXPECT_EQ(by_id->object_class, ObjectClass::SecretKey);
  EXPECT_THAT(KeyRef::parse_uri("pkcs11:object=k;type=public"), IsOk());
}

TEST(KeyRefFromUri, RefusesUrisThatNameNoKey) {
  for (const std::string_view text : {"pkcs11:", "pkcs11:token=ci-token", "pkcs11:type=private",
                                      "pkcs11:object=", "pkcs11:id=", "pkcs11:object=;id=%01"}) {
    EXPECT_THAT(KeyRef::parse_uri(text), HasErrorCode(ErrorCode::InvalidArgument)) << text;
  }
  const auto none = KeyRef::parse_uri("pkcs11:token=ci-token");
  EXPECT_THAT(none.error().message(), HasSubstr("names no key"));
}

TEST(KeyRefFromUri, RefusesCertificatesAndDataObjects) {
  const auto cert = KeyRef::parse_uri("pkcs11:object=my-certificate;type=cert");
  ASSERT_THAT(cert, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(cert.error().message(), HasSubstr("type=cert is not a key"));
  EXPECT_THAT(KeyRef::parse_uri("pkcs11:object=blob;type=data"),
              HasErrorCode(ErrorCode::InvalidArgument));
}

TEST(KeyRefFromUri, ParseErrorsPassThrough) {
  EXPECT_THAT(KeyRef::parse_uri("object=k"), HasErrorCode(ErrorCode::InvalidArgument));
  const auto pin = KeyRef::parse_uri("pkcs11:object=k?pin-value=0000");
  ASSERT_THAT(pin, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(pin.error().message(), HasSubstr("pin-value"));
}

// A key reference names an object; the login is the backend's. A pin-source here would be
// silently ignored, so it is refused, and the path it names is not repeated.
TEST(KeyRefFromUri, RefusesAPinSource) {
  const auto ref = KeyRef::parse_uri("pkcs11:object=k?pin-source=file:/run/secret-7781");
  ASSERT_THAT(ref, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(ref.error().message(), HasSubstr("pin-source"));
  EXPECT_THAT(ref.error().message(), Not(HasSubstr("secret-7781")));
}

TEST(KeyRefText, ToUriRoundTripsAndPrintsTheSameEverywhere) {
  const KeyRef ref{.label = "a;b c",
                   .id = std::vector<std::uint8_t>{0x00, 0x7f},
                   .object_class = ObjectClass::SecretKey};
  EXPECT_EQ(ref.to_uri(), "pkcs11:object=a%3Bb%20c;id=%00%7F;type=secret-key");
  EXPECT_EQ(KeyRef::parse_uri(ref.to_uri()).value(), ref);
  std::ostringstream streamed;
  streamed << ref;
  EXPECT_EQ(streamed.str(), ref.to_uri());
  EXPECT_EQ(fmt::format("{}", ref), ref.to_uri());
}

}  // namespace
}  // namespace craton::hsm
