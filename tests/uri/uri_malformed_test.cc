// SPDX-License-Identifier: Apache-2.0
// Pkcs11Uri::parse refusals: each malformed input is InvalidArgument naming the attribute and
// position, and a PIN in a URI never reaches the error text.
#include <craton/hsm/pkcs11_uri.h>

#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::testing::HasSubstr;
using ::testing::Not;

struct Malformed {
  std::string_view text;
  std::string_view message;  // a substring the error must contain
};

void PrintTo(const Malformed& m, std::ostream* out) {
  *out << m.text;
}

class Pkcs11UriMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(Pkcs11UriMalformed, IsInvalidArgumentNamingWhatAndWhere) {
  const auto uri = Pkcs11Uri::parse(GetParam().text);
  ASSERT_THAT(uri, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(uri.error().message(), HasSubstr(GetParam().message));
  EXPECT_THAT(uri.error().message(), HasSubstr("PKCS#11 URI: "));
}

INSTANTIATE_TEST_SUITE_P(
    Table, Pkcs11UriMalformed,
    ::testing::Values(
        // Scheme.
        Malformed{"", "scheme at position 1"}, Malformed{"pkcs11", "must start with \"pkcs11:\""},
        Malformed{"token=ci-token", "scheme at position 1"}, Malformed{"pkcs12:token=a", "scheme"},
        Malformed{" pkcs11:token=a", "scheme"},
        // Percent-escapes: 7 bytes of scheme + "token=" put the value at position 14.
        Malformed{"pkcs11:token=%G1", "attribute 'token' at position 14: malformed percent-escape"},
        Malformed{"pkcs11:token=%1", "attribute 'token' at position 14: malformed"},
        Malformed{"pkcs11:token=ab%", "attribute 'token' at position 16: malformed"},
        Malformed{"pkcs11:id=%0", "attribute 'id' at position 11: malformed"},
        Malformed{"pkcs11:object=%%41", "malformed"},
        // Characters the grammar wants escaped.
        Malformed{"pkcs11:token=a b", "attribute 'token' at position 15: character 0x20"},
        Malformed{"pkcs11:object=a/b", "character 0x2F must be percent-encoded"},
        Malformed{"pkcs11:object=a#b", "character 0x23"},
        Malformed{"pkcs11:object=a\"b", "character 0x22"},
        // Structure.
        Malformed{"pkcs11:token=a;token=b", "attribute 'token' at position 16: given twice"},
        Malformed{"pkcs11:id=%01;object=x;id=%01", "attribute 'id' at position 24: given twice"},
        Malformed{"pkcs11:?module-name=a&module-name=b", "given twice"},
        Malformed{"pkcs11:token=a;;object=b", "attribute at position 16: empty"},
        Malformed{"pkcs11:token=a;", "attribute at position 16: empty"},
        Malformed{"pkcs11:;", "attribute at position 8: empty"},
        Malformed{"pkcs11:?&module-name=a", "empty"},
        Malformed{"pkcs11:=value", "empty attribute name"},
        Malformed{"pkcs11:token", "missing '='"},
        // Names.
        Malformed{"pkcs11:tokne=a", "attribute 'tokne' at position 8: unknown attribute"},
        Malformed{"pkcs11:Token=a", "unknown attribute"},
        Malformed{"pkcs11:x-vendor=a", "attribute 'x-vendor' at position 8: vendor attributes"},
        Malformed{"pkcs11:vendor-aaa=value-a", "unknown attribute"},
        Malformed{"pkcs11:?x-foo=1", "vendor attributes"},
        Malformed{"pkcs11:a%20b=c", "attribute at position 8: unknown"},
        Malformed{"pkcs11:module-name=p", "'module-name' at position 8: is a query attribute"},
        Malformed{"pkcs11:?token=a", "'token' at position 9: is a path attribute"},
        // Values with a grammar.
        Malformed{"pkcs11:type=secret", "attribute 'type' at position 13: must be one of"},
        Malformed{"pkcs11:type=Private", "must be one of"},
        Malformed{"pkcs11:type=", "must be one of"},
        Malformed{"pkcs11:slot-id=abc", "attribute 'slot-id' at position 16: must be a decimal"},
        Malformed{"pkcs11:slot-id=", "must be a decimal"},
        Malformed{"pkcs11:slot-id=-1", "must be a decimal"},
        Malformed{"pkcs11:slot-id=+1", "must be a decimal"},
        Malformed{"pkcs11:slot-id=1.0", "must be a decimal"},
        Malformed{"pkcs11:slot-id=18446744073709551616", "must be a decimal number below 2^64"},
        Malformed{"pkcs11:library-version=1.2.3", "must be M or M.m"},
        Malformed{"pkcs11:library-version=v1", "must be M or M.m"},
        Malformed{"pkcs11:library-version=1.", "must be M or M.m"},
        Malformed{"pkcs11:library-version=", "must be M or M.m"},
        Malformed{"pkcs11:?module-path=lib/libsofthsm2.so",
                  "'module-path' at position 21: must be "
                  "an absolute path"},
        Malformed{"pkcs11:?module-path=", "must be an absolute path"},
        // PINs.
        Malformed{"pkcs11:object=k?pin-value=1234", "'pin-value' at position 17: PINs are never"},
        Malformed{"pkcs11:pin-source=file:/x", "'pin-source' at position 8: is a query attribute"},
        // A pin-source names a file by absolute path, nothing else.
        Malformed{"pkcs11:?pin-source=relative/pin",
                  "'pin-source' at position 20: must be "
                  "file:/absolute/path"},
        Malformed{"pkcs11:?pin-source=file:pin", "must be file:/absolute/path"},
        Malformed{"pkcs11:?pin-source=%7C/bin/echo", "programs and other sources are not"},
        Malformed{"pkcs11:?pin-source=https://example.com/pin", "must be file:/absolute"},
        Malformed{"pkcs11:?pin-source=file:/", "must be file:/absolute/path"},
        Malformed{"pkcs11:?pin-source=", "must be file:/absolute/path"},
        Malformed{"pkcs11:?pin-source=/a&pin-source=/a",
                  "'pin-source' at position 23: given twice"}));

// The value of a PIN attribute appears nowhere in the error, whatever it looks like and
// wherever it is (also when it is itself malformed, or followed by other errors).
TEST(Pkcs11UriPins, ThePinIsNeverInTheMessage) {
  const std::string_view uris[] = {
      // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one URI, split to fit the line
      "pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc."
      "?pin-value=the-pin",
      "pkcs11:pin-value=the-pin",
      "pkcs11:?pin-value=the-pin%ZZ",
      "pkcs11:?pin-value=the-pin&pin-value=the-pin",
      "pkcs11:?pin-source=/etc/token&pin-value=the-pin",
  };
  for (const std::string_view text : uris) {
    SCOPED_TRACE(text);
    const auto uri = Pkcs11Uri::parse(text);
    ASSERT_THAT(uri, HasErrorCode(ErrorCode::InvalidArgument));
    const std::string message = uri.error().to_string();
    EXPECT_THAT(message, HasSubstr("PINs are never taken from URIs"));
    EXPECT_THAT(message, Not(HasSubstr("the-pin")));
    EXPECT_THAT(message, Not(HasSubstr("/etc/token")));
  }
}

// A pin-source that is refused (a relative path, a program, a malformed escape) is never
// quoted either: it may be a PIN typed in the wrong place.
TEST(Pkcs11UriPins, ARefusedPinSourceIsNeverInTheMessage) {
  for (const std::string_view text :
       {"pkcs11:token=a?pin-source=the-pin&token=x", "pkcs11:?pin-source=%7Cthe-pin",
        "pkcs11:?pin-source=file:the-pin", "pkcs11:?pin-source=/the-pin%Z"}) {
    SCOPED_TRACE(text);
    const auto uri = Pkcs11Uri::parse(text);
    ASSERT_THAT(uri, HasErrorCode(ErrorCode::InvalidArgument));
    EXPECT_THAT(uri.error().to_string(), HasSubstr("pin-source"));
    EXPECT_THAT(uri.error().to_string(), Not(HasSubstr("the-pin")));
  }
}

// Error messages never quote values at all: a PIN pasted into the wrong attribute stays out.
TEST(Pkcs11UriPins, NoValueIsQuotedInAnyError) {
  for (const std::string_view text :
       {"pkcs11:slot-id=1234secret", "pkcs11:type=1234secret", "pkcs11:library-version=1234secret",
        "pkcs11:?module-path=1234secret", "pkcs11:object=1234secret%G", "pkcs11:1234secret",
        "pkcs11:token=a;1234secret", "pkcs11:x-pin=1234secret"}) {
    SCOPED_TRACE(text);
    const auto uri = Pkcs11Uri::parse(text);
    ASSERT_THAT(uri, HasErrorCode(ErrorCode::InvalidArgument));
    EXPECT_THAT(uri.error().message(), Not(HasSubstr("1234secret")));
  }
}

}  // namespace
}  // namespace craton::hsm
