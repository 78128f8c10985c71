// SPDX-License-Identifier: Apache-2.0
// Pkcs11Uri::first_mismatch: RFC 7512 §2.4 matching of token, slot, library and module
// attributes, attribute by attribute, against a description of one token.
#include <craton/hsm/pkcs11_uri.h>

#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"
#include "uri/attributes.h"

namespace craton::hsm {
namespace {

using ::craton::hsm::testing::IsOk;

Pkcs11Uri parsed(std::string_view text) {
  auto uri = Pkcs11Uri::parse(text);
  EXPECT_THAT(uri, IsOk()) << text;
  return uri.value_or(Pkcs11Uri{});
}

// What a backend on SoftHSM2's first token would describe.
Pkcs11Uri described() {
  Pkcs11Uri location;
  location.token = "ci-token";
  location.manufacturer = "SoftHSM project";
  location.serial = "4f2a9c11d07b3e21";
  location.model = "SoftHSM v2";
  location.slot_id = 1234;
  location.slot_description = "SoftHSM slot ID 0x4d2";
  location.slot_manufacturer = "SoftHSM project";
  location.library_manufacturer = "SoftHSM";
  location.library_description = "Implementation of PKCS11";
  location.library_version = "2.6";
  location.module_path = "/usr/lib/softhsm/libsofthsm2.so";
  location.module_name = "softhsm2";
  return location;
}

std::string mismatch_of(std::string_view text) {
  const auto mismatch = parsed(text).first_mismatch(described());
  return mismatch
             ? fmt::format("{}: {} vs {}", mismatch->attribute, mismatch->wanted, mismatch->actual)
             : std::string("match");
}

TEST(Pkcs11UriMatch, EveryAttributeThatDescribesTheTokenMatches) {
  EXPECT_EQ(mismatch_of("pkcs11:"), "match");
  EXPECT_EQ(mismatch_of("pkcs11:token=ci-token;manufacturer=SoftHSM%20project;"
                        "serial=4f2a9c11d07b3e21;model=SoftHSM%20v2;slot-id=1234;"
                        "slot-description=SoftHSM%20slot%20ID%200x4d2;"
                        "slot-manufacturer=SoftHSM%20project;library-manufacturer=SoftHSM;"
                        "library-description=Implementation%20of%20PKCS11;library-version=2.6"
                        "?module-name=softhsm2&module-path=/usr/lib/softhsm/libsofthsm2.so"),
            "match");
  // Object attributes and pin-source say nothing about the token.
  EXPECT_EQ(mismatch_of("pkcs11:object=k;id=%01;type=private?pin-source=/etc/pin"), "match");
}

TEST(Pkcs11UriMatch, EachAttributeThatDiffersIsNamedWithBothValues) {
  EXPECT_EQ(mismatch_of("pkcs11:token=other"), "token: other vs ci-token");
  EXPECT_EQ(mismatch_of("pkcs11:serial=1"), "serial: 1 vs 4f2a9c11d07b3e21");
  EXPECT_EQ(mismatch_of("pkcs11:slot-id=1235"), "slot-id: 1235 vs 1234");
  EXPECT_EQ(mismatch_of("pkcs11:slot-description=x"),
            "slot-description: x vs SoftHSM slot ID 0x4d2");
  EXPECT_EQ(mismatch_of("pkcs11:slot-manufacturer=x"), "slot-manufacturer: x vs SoftHSM project");
  EXPECT_EQ(mismatch_of("pkcs11:library-manufacturer=x"), "library-manufacturer: x vs SoftHSM");
  EXPECT_EQ(mismatch_of("pkcs11:library-description=x"),
            "library-description: x vs Implementation of PKCS11");
  EXPECT_EQ(mismatch_of("pkcs11:library-version=2.7"), "library-version: 2.7 vs 2.6");
  EXPECT_EQ(mismatch_of("pkcs11:?module-name=opensc-pkcs11"),
            "module-name: opensc-pkcs11 vs softhsm2");
  EXPECT_EQ(mismatch_of("pkcs11:?module-path=/usr/lib/other.so"),
            "module-path: /usr/lib/other.so vs /usr/lib/softhsm/libsofthsm2.so");
}

TEST(Pkcs11UriMatch, TheFirstDifferenceInCanonicalOrderIsReported) {
  EXPECT_EQ(mismatch_of("pkcs11:library-version=9;slot-id=1?module-name=x"), "slot-id: 1 vs 1234");
}

// PKCS#11 pads text fields with blanks; percent-escapes are decoded before comparing.
TEST(Pkcs11UriMatch, TrailingBlanksAndEscapesDoNotMatter) {
  EXPECT_EQ(mismatch_of("pkcs11:token=ci-token%20%20;model=SoftHSM%20v2%20"), "match");
  EXPECT_EQ(mismatch_of("pkcs11:token=%63%69%2D%74%6F%6B%65%6E"), "match");
  EXPECT_EQ(mismatch_of("pkcs11:token=%20ci-token"), "token:  ci-token vs ci-token");
}

// "M" means "M.0"; numbers compare as numbers.
TEST(Pkcs11UriMatch, LibraryVersionMajorAloneIsMinorZero) {
  EXPECT_EQ(mismatch_of("pkcs11:library-version=2"), "library-version: 2 vs 2.6");
  EXPECT_EQ(mismatch_of("pkcs11:library-version=2.06"), "match");
  Pkcs11Uri two = described();
  two.library_version = "2.0";
  EXPECT_FALSE(parsed("pkcs11:library-version=2").first_mismatch(two));
  EXPECT_TRUE(parsed("pkcs11:library-version=2.1").first_mismatch(two));
}

TEST(Pkcs11UriMatch, ModulePathsCompareNormalised) {
  EXPECT_EQ(mismatch_of("pkcs11:?module-path=/usr/lib/./softhsm//libsofthsm2.so"), "match");
  EXPECT_EQ(mismatch_of("pkcs11:?module-path=/usr/lib/x/../softhsm/libsofthsm2.so"), "match");
}

// A description that lacks an attribute the URI sets cannot vouch for it.
TEST(Pkcs11UriMatch, AnAttributeTheDescriptionLacksNeverMatches) {
  Pkcs11Uri partial;
  partial.token = "ci-token";
  const auto mismatch = parsed("pkcs11:token=ci-token;slot-id=0").first_mismatch(partial);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->attribute, "slot-id");
  EXPECT_EQ(mismatch->actual, "");
  EXPECT_TRUE(parsed("pkcs11:library-version=1").first_mismatch(partial));
}

// RFC 7512 §2.3: "mypkcs11" for libmypkcs11.so.1; a name without "lib" keeps its first letters.
TEST(Pkcs11UriModuleName, IsTheFileNameWithoutLibPrefixAndSuffix) {
  EXPECT_EQ(uri::module_name_of("/usr/lib/libmypkcs11.so.1"), "mypkcs11");
  EXPECT_EQ(uri::module_name_of("/usr/lib/softhsm/libsofthsm2.so"), "softhsm2");
  EXPECT_EQ(uri::module_name_of("/opt/vendor/opensc-pkcs11.so"), "opensc-pkcs11");
  EXPECT_EQ(uri::module_name_of("/opt/vendor/mypkcs11"), "mypkcs11");
}

TEST(Pkcs11UriPinSource, NamesAnAbsolutePathWithOrWithoutFileScheme) {
  EXPECT_EQ(parsed("pkcs11:?pin-source=file:/etc/pin").pin_source_file(), "/etc/pin");
  EXPECT_EQ(parsed("pkcs11:?pin-source=FILE:/etc/pin").pin_source_file(), "/etc/pin");
  EXPECT_EQ(parsed("pkcs11:?pin-source=/etc/pin").pin_source_file(), "/etc/pin");
  EXPECT_EQ(parsed("pkcs11:?pin-source=file:%2Fetc%2Fmy%20pin").pin_source_file(), "/etc/my pin");
  EXPECT_EQ(parsed("pkcs11:token=a").pin_source_file(), std::nullopt);
}

}  // namespace
}  // namespace craton::hsm
