// SPDX-License-Identifier: Apache-2.0
// Fuzz target: ECDSA signature conversion (src/backends/common/ecdsa_encoding). The first byte
// picks the field size (1..66 bytes: P-256 is 32, P-384 48, P-521 66). The rest, as DER, must
// convert to r‖s only when it is strict DER, i.e. exactly what converting back gives; its
// first 2 × field bytes, as r‖s, must convert to DER that converts back to them.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "backends/common/ecdsa_encoding.h"
#include "support/check.h"

using craton::hsm::ByteView;
using craton::hsm::ErrorCode;
using craton::hsm::common::ecdsa_der_to_raw;
using craton::hsm::common::ecdsa_raw_to_der;

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t field_bytes = 1 + data[0] % 66;
  const ByteView input(data + 1, size - 1);

  const auto raw = ecdsa_der_to_raw(input, field_bytes);
  if (raw) {
    FUZZ_CHECK(raw->size() == 2 * field_bytes, "r||s is two field elements wide");
    const auto der = ecdsa_raw_to_der(*raw, field_bytes);
    FUZZ_CHECK(der.has_value(), "r||s from strict DER converts back");
    FUZZ_CHECK(std::ranges::equal(*der, input), "strict DER is what re-encoding gives");
  } else {
    FUZZ_CHECK(raw.error().code() == ErrorCode::DataInvalid,
               "ecdsa_der_to_raw fails only with DataInvalid");
  }

  if (input.size() < 2 * field_bytes) return 0;
  const ByteView rs = input.first(2 * field_bytes);
  const auto der = ecdsa_raw_to_der(rs, field_bytes);
  FUZZ_CHECK(der.has_value(), "any r||s of the right length has a DER encoding");
  const auto back = ecdsa_der_to_raw(*der, field_bytes);
  FUZZ_CHECK(back.has_value(), "the DER of r||s is strict");
  FUZZ_CHECK(std::ranges::equal(*back, rs), "raw -> DER -> raw gives the same r||s");
  return 0;
}
