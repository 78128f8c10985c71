// SPDX-License-Identifier: Apache-2.0
// Pkcs11Uri: every example of RFC 7512 §3, the canonical form, and parse(to_string(x)) == x.
#include <craton/hsm/pkcs11_uri.h>

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

const std::vector<std::uint8_t> kRfcId{0x69, 0x95, 0x3e, 0x5c, 0xf4, 0xbd, 0xec, 0x91};

Pkcs11Uri parsed(std::string_view text) {
  auto uri = Pkcs11Uri::parse(text);
  EXPECT_THAT(uri, IsOk()) << text;
  return uri.value_or(Pkcs11Uri{});
}

TEST(Pkcs11UriRfcExamples, TheEmptyUriNamesEverything) {
  const Pkcs11Uri uri = parsed("pkcs11:");
  EXPECT_EQ(uri, Pkcs11Uri{});
  EXPECT_TRUE(uri.selects_any_token());
  EXPECT_TRUE(uri.names_no_object());
  EXPECT_EQ(uri.to_string(), "pkcs11:");
}

TEST(Pkcs11UriRfcExamples, PublicKeyByLabel) {
  const Pkcs11Uri uri = parsed("pkcs11:object=my-pubkey;type=public");
  EXPECT_EQ(uri.object, "my-pubkey");
  EXPECT_EQ(uri.type, ObjectClass::PublicKey);
  EXPECT_TRUE(uri.selects_any_token());
  EXPECT_FALSE(uri.names_no_object());
}

TEST(Pkcs11UriRfcExamples, CertificateWithEveryTokenAttribute) {
  const Pkcs11Uri uri = parsed(
      "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;"
      "model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=");
  EXPECT_EQ(uri.token, "The Software PKCS#11 Softtoken");
  EXPECT_EQ(uri.manufacturer, "Snake Oil, Inc.");
  EXPECT_EQ(uri.model, "1.0");
  EXPECT_EQ(uri.object, "my-certificate");
  EXPECT_EQ(uri.type, ObjectClass::Certificate);
  EXPECT_EQ(uri.id, kRfcId);
  EXPECT_EQ(uri.serial, "");  // present and empty, which is not the same as absent
  EXPECT_FALSE(uri.selects_any_token());
  // Canonical order is the field order; "," and "." stay literal, the id is all escapes.
  EXPECT_EQ(uri.to_string(),
            "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc."
            ";serial=;model=1.0;object=my-certificate;id=%69%95%3E%5C%F4%BD%EC%91;type=cert");
}

TEST(Pkcs11UriRfcExamples, SlotDescription) {
  EXPECT_EQ(parsed("pkcs11:slot-description=Sun%20Metaslot").slot_description, "Sun Metaslot");
}

TEST(Pkcs11UriRfcExamples, LibraryAttributes) {
  const Pkcs11Uri uri = parsed(
      "pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20Library;"
      "library-version=1.23");
  EXPECT_EQ(uri.library_manufacturer, "Snake Oil, Inc.");
  EXPECT_EQ(uri.library_description, "Soft Token Library");
  EXPECT_EQ(uri.library_version, "1.23");
  EXPECT_TRUE(uri.selects_any_token());
}

TEST(Pkcs11UriRfcExamples, PercentSignInATokenLabel) {
  const Pkcs11Uri uri = parsed(
      "pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;"
      "id=%69%95%3E%5C%F4%BD%EC%91;object=my-certificate;type=cert");
  EXPECT_EQ(uri.token, "My token% created by Joe");
  EXPECT_EQ(uri.library_version, "3");
  EXPECT_EQ(uri.id, kRfcId);
}

TEST(Pkcs11UriRfcExamples, EscapedSeparatorInALabel) {
  const Pkcs11Uri uri = parsed(
      "pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert");
  EXPECT_EQ(uri.token, "A name with a substring %;");
  EXPECT_EQ(uri.object, "my-certificate");
}

TEST(Pkcs11UriRfcExamples, Utf8InALabel) {
  const Pkcs11Uri uri = parsed(
      "pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;"
      "type=cert");
  EXPECT_EQ(uri.token, "Name with a small A with acute: \xC3\xA1");
}

TEST(Pkcs11UriRfcExamples, ModuleNameAndModulePath) {
  const Pkcs11Uri by_name = parsed("pkcs11:object=my-sign-key;type=private?module-name=mypkcs11");
  EXPECT_EQ(by_name.module_name, "mypkcs11");
  EXPECT_EQ(by_name.type, ObjectClass::PrivateKey);
  const Pkcs11Uri by_path =
      parsed("pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1");
  EXPECT_EQ(by_path.module_path, "/mnt/libmypkcs11.so.1");
  EXPECT_EQ(by_path.to_string(),
            "pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1");
}

// RFC 7512 §3's pin-source example: a path, read only by a configuration's token_uri.
TEST(Pkcs11UriRfcExamples, PinSourceIsAPathAndRoundTrips) {
  const Pkcs11Uri uri = parsed("pkcs11:object=my-key;type=private?pin-source=file:/etc/token");
  EXPECT_EQ(uri.pin_source, "file:/etc/token");
  EXPECT_EQ(uri.pin_source_file(), "/etc/token");
  EXPECT_EQ(uri.to_string(), "pkcs11:object=my-key;type=private?pin-source=file:/etc/token");
  EXPECT_EQ(parsed(uri.to_string()), uri);
}

// RFC 7512 §3 also shows a PIN value and vendor attributes; this library refuses them (see
// uri_malformed_test.cc for the messages).
TEST(Pkcs11UriRfcExamples, PinValueAndVendorExamplesAreRefused) {
  for (const std::string_view text : {
           "pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc."
           "?pin-value=the-pin",
           "pkcs11:token=my-token;object=my-certificate;type=cert;vendor-aaa=value-a"
           "?pin-source=file:/etc/token&vendor-bbb=value-b",
       }) {
    EXPECT_THAT(Pkcs11Uri::parse(text), HasErrorCode(ErrorCode::InvalidArgument)) << text;
  }
}

TEST(Pkcs11UriSyntax, SchemeIsCaseInsensitiveAndHexEitherCase) {
  const Pkcs11Uri uri = parsed("PKCS11:id=%ab%CD%0f;object=%6b%65%79");
  EXPECT_EQ(uri.id, (std::vector<std::uint8_t>{0xab, 0xcd, 0x0f}));
  EXPECT_EQ(uri.object, "key");
  EXPECT_EQ(uri.to_string(), "pkcs11:object=key;id=%AB%CD%0F");
}

TEST(Pkcs11UriSyntax, AnEmptyQueryIsAllowedAndEqualsSignsInValuesAreData) {
  EXPECT_EQ(parsed("pkcs11:?"), Pkcs11Uri{});
  EXPECT_EQ(parsed("pkcs11:object=a=b").object, "a=b");
  EXPECT_EQ(parsed("pkcs11:slot-id=0").slot_id, 0u);
  EXPECT_EQ(parsed("pkcs11:slot-id=18446744073709551615").slot_id, UINT64_MAX);
}

TEST(Pkcs11UriSyntax, EveryTypeSpelling) {
  const std::pair<std::string_view, ObjectClass> spellings[] = {
      {"private", ObjectClass::PrivateKey},
      {"public", ObjectClass::PublicKey},
      {"secret-key", ObjectClass::SecretKey},
      {"cert", ObjectClass::Certificate},
      {"data", ObjectClass::Data},
  };
  for (const auto& [name, object_class] : spellings) {
    EXPECT_EQ(object_class_name(object_class), name);
    EXPECT_EQ(parsed(std::string("pkcs11:type=") + std::string(name)).type, object_class);
  }
}

// Separators and '%' inside values are escaped; '/' and '?' only where the RFC requires it
// (they are literal in the query, so module paths stay readable).
TEST(Pkcs11UriCanonicalForm, EscapesExactlyWhatTheGrammarRequires) {
  Pkcs11Uri uri;
  uri.object = "a;b&c?d/e%f g";
  uri.module_path = "/opt/x&y/lib?.so";
  EXPECT_EQ(uri.to_string(),
            "pkcs11:object=a%3Bb%26c%3Fd%2Fe%25f%20g?module-path=/opt/x%26y/lib?.so");
  EXPECT_EQ(parsed(uri.to_string()), uri);
}

TEST(Pkcs11UriCanonicalForm, PrintsTheSameThroughStreamsAndFmt) {
  const Pkcs11Uri uri = parsed("pkcs11:token=ci-token;object=signing-1;type=private");
  std::ostringstream streamed;
  streamed << uri;
  EXPECT_EQ(streamed.str(), uri.to_string());
  EXPECT_EQ(fmt::format("{}", uri), uri.to_string());
}

TEST(Pkcs11UriRoundTrip, EveryRfcExampleSurvivesToStringAndParse) {
  for (const std::string_view text : {
           "pkcs11:",
           "pkcs11:object=my-pubkey;type=public",
           "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;"
           "model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=",
           "pkcs11:slot-description=Sun%20Metaslot",
           "pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20"
           "Library;library-version=1.23",
           "pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;"
           "id=%69%95%3E%5C%F4%BD%EC%91;object=my-certificate;type=cert",
           "pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert",
           "pkcs11:object=my-sign-key;type=private?module-name=mypkcs11",
           "pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1",
       }) {
    SCOPED_TRACE(text);
    const Pkcs11Uri uri = parsed(text);
    const std::string canonical = uri.to_string();
    EXPECT_EQ(parsed(canonical), uri);
    EXPECT_EQ(parsed(canonical).to_string(), canonical) << "canonical form is a fixed point";
  }
}

// Every byte value in every text attribute, and every field at once.
TEST(Pkcs11UriRoundTrip, AllByteValuesAndAllFields) {
  std::string every_byte;
  std::vector<std::uint8_t> every_id;
  for (int b = 0; b < 256; ++b) {
    every_byte += static_cast<char>(b);
    every_id.push_back(static_cast<std::uint8_t>(b));
  }
  const Pkcs11Uri uri{
      .token = every_byte,
      .manufacturer = "m;a&n",
      .serial = "0123456789abcdef",
      .model = "model?",
      .slot_id = 42,
      .slot_description = "slot = desc",
      .slot_manufacturer = "slot/manuf",
      .library_manufacturer = "lib,manuf",
      .library_description = "lib desc",
      .library_version = "2.40",
      .object = every_byte,
      .id = every_id,
      .type = ObjectClass::SecretKey,
      .module_name = every_byte,
      .module_path = "/" + every_byte,
      .pin_source = "file:/" + every_byte,
  };
  const std::string text = uri.to_string();
  EXPECT_EQ(parsed(text), uri);
  EXPECT_FALSE(uri.selects_any_token());
  EXPECT_FALSE(uri.names_no_object());
}

TEST(Pkcs11UriScope, TokenAndObjectAttributesAreToldApart) {
  EXPECT_TRUE(parsed("pkcs11:library-version=1;object=k").selects_any_token());
  for (const std::string_view text :
       {"pkcs11:token=t", "pkcs11:manufacturer=m", "pkcs11:serial=s", "pkcs11:model=m",
        "pkcs11:slot-id=1", "pkcs11:slot-description=d", "pkcs11:slot-manufacturer=m"}) {
    EXPECT_FALSE(parsed(text).selects_any_token()) << text;
    EXPECT_TRUE(parsed(text).names_no_object()) << text;
  }
  for (const std::string_view text : {"pkcs11:object=o", "pkcs11:id=%01", "pkcs11:type=data"}) {
    EXPECT_FALSE(parsed(text).names_no_object()) << text;
  }
  EXPECT_THAT(parsed("pkcs11:token=t").to_string(), Not(HasSubstr("object")));
}

}  // namespace
}  // namespace craton::hsm
