// SPDX-License-Identifier: Apache-2.0
// Fuzz target: PKCS#11 URIs (RFC 7512). Pkcs11Uri::parse gives a URI or InvalidArgument; a
// parsed URI's canonical text parses to an equal URI and is its own canonical text; a key
// reference taken from it round-trips through to_uri; key usage lists round-trip too.
#include <craton/hsm/pkcs11_uri.h>
#include <craton/hsm/resident_keys.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "support/check.h"

using craton::hsm::ErrorCode;
using craton::hsm::KeyRef;
using craton::hsm::KeyUsages;
using craton::hsm::Pkcs11Uri;

namespace {

void check_uri(std::string_view text) {
  const auto uri = Pkcs11Uri::parse(text);
  if (!uri) {
    FUZZ_CHECK(uri.error().code() == ErrorCode::InvalidArgument,
               "Pkcs11Uri::parse fails only with InvalidArgument");
    return;
  }
  const std::string canonical = uri->to_string();
  const auto again = Pkcs11Uri::parse(canonical);
  FUZZ_CHECK(again.has_value(), "the canonical text of a parsed URI parses");
  FUZZ_CHECK(*again == *uri, "parse(to_string(uri)) == uri");
  FUZZ_CHECK(again->to_string() == canonical, "the canonical text is a fixed point");
  static_cast<void>(uri->first_mismatch(*uri));
  static_cast<void>(uri->pin_source_file());

  const auto ref = KeyRef::from_uri(*uri);
  if (!ref) {
    FUZZ_CHECK(ref.error().code() == ErrorCode::InvalidArgument,
               "KeyRef::from_uri fails only with InvalidArgument");
    return;
  }
  const auto ref_again = KeyRef::parse_uri(ref->to_uri());
  FUZZ_CHECK(ref_again.has_value(), "a key reference's URI parses");
  FUZZ_CHECK(*ref_again == *ref, "KeyRef::parse_uri(ref.to_uri()) == ref");
}

void check_usages(std::string_view text) {
  const auto usages = KeyUsages::parse(text);
  if (!usages) {
    FUZZ_CHECK(usages.error().code() == ErrorCode::InvalidArgument,
               "KeyUsages::parse fails only with InvalidArgument");
    return;
  }
  const auto again = KeyUsages::parse(usages->to_string());
  FUZZ_CHECK(again && *again == *usages, "KeyUsages::parse(usages.to_string()) == usages");
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = craton::hsm::fuzz::as_text(std::span(data, size));
  check_uri(text);
  check_usages(text);
  return 0;
}
