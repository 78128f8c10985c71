// SPDX-License-Identifier: Apache-2.0
// Fuzz target: TOML text through parse_config (TOML parsing, every validation rule, the
// [audit] table, the token URI, PIN resolution) must give a config or ConfigInvalid, and a
// config it gives must validate again, clone and print the same, and carry a token URI that
// survives its own round trip.
#include <craton/hsm/config.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "support/check.h"

using craton::hsm::ErrorCode;
using craton::hsm::Pkcs11Uri;

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto toml = craton::hsm::fuzz::as_text(std::span(data, size));
  auto config = craton::hsm::parse_config(toml, "fuzz.toml");
  if (!config) {
    FUZZ_CHECK(config.error().code() == ErrorCode::ConfigInvalid,
               "parse_config fails only with ConfigInvalid");
    return 0;
  }
  FUZZ_CHECK(config->validate().has_value(), "a config parse_config returned validates again");
  const auto copy = config->clone();
  FUZZ_CHECK(craton::hsm::to_string(copy) == craton::hsm::to_string(*config),
             "a clone prints like its original");
  if (config->token_uri) {
    const auto again = Pkcs11Uri::parse(config->token_uri->to_string());
    FUZZ_CHECK(again && *again == *config->token_uri, "token_uri parses back from its text");
  }
  return 0;
}
