// SPDX-License-Identifier: Apache-2.0
// Checking the lengths modules report back.
#include "pkcs11/session/output_length.h"

#include <array>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {
namespace {

// A module that answered CKR_OK with an impossible length: the call "succeeded", the answer
// is unusable. The function and CKR_OK stay on the error, so the log shows who said it.
std::unexpected<HsmError> bad_answer(Fn fn, std::string message) {
  return std::unexpected<HsmError>(std::in_place, ErrorCode::Pkcs11Failure, std::move(message),
                                   function_name(fn), CKR_OK, "CKR_OK");
}

std::string describe(CK_ULONG length) {
  if (length == CK_UNAVAILABLE_INFORMATION) return "CK_UNAVAILABLE_INFORMATION";
  return fmt::format("{}", length);
}

std::string describe(ExpectedLength expected) {
  if (expected.min == expected.max) return fmt::format("{}", expected.min);
  if (expected.max == ExpectedLength{}.max) return fmt::format("at least {}", expected.min);
  return fmt::format("{} to {}", expected.min, expected.max);
}

// The attributes this library reads back, by name (PKCS#11 v2.40 §4).
constexpr std::array<std::pair<CK_ATTRIBUTE_TYPE, std::string_view>, 24> kAttributeNames{{
    {CKA_CLASS, "CKA_CLASS"},
    {CKA_TOKEN, "CKA_TOKEN"},
    {CKA_PRIVATE, "CKA_PRIVATE"},
    {CKA_LABEL, "CKA_LABEL"},
    {CKA_VALUE, "CKA_VALUE"},
    {CKA_CERTIFICATE_TYPE, "CKA_CERTIFICATE_TYPE"},
    {CKA_KEY_TYPE, "CKA_KEY_TYPE"},
    {CKA_ID, "CKA_ID"},
    {CKA_SENSITIVE, "CKA_SENSITIVE"},
    {CKA_SIGN, "CKA_SIGN"},
    {CKA_MODULUS, "CKA_MODULUS"},
    {CKA_MODULUS_BITS, "CKA_MODULUS_BITS"},
    {CKA_PUBLIC_EXPONENT, "CKA_PUBLIC_EXPONENT"},
    {CKA_PRIVATE_EXPONENT, "CKA_PRIVATE_EXPONENT"},
    {CKA_PRIME_1, "CKA_PRIME_1"},
    {CKA_PRIME_2, "CKA_PRIME_2"},
    {CKA_EXPONENT_1, "CKA_EXPONENT_1"},
    {CKA_EXPONENT_2, "CKA_EXPONENT_2"},
    {CKA_COEFFICIENT, "CKA_COEFFICIENT"},
    {CKA_VALUE_LEN, "CKA_VALUE_LEN"},
    {CKA_LOCAL, "CKA_LOCAL"},
    {CKA_CHECK_VALUE, "CKA_CHECK_VALUE"},
    {CKA_EC_PARAMS, "CKA_EC_PARAMS"},
    {CKA_EC_POINT, "CKA_EC_POINT"},
}};

}  // namespace

Result<std::size_t> output_length(Fn fn, CK_ULONG reported, std::size_t capacity,
                                  ExpectedLength expected) {
  if (reported > capacity) {
    return bad_answer(fn, fmt::format("the module reported {} bytes written into a buffer of {}",
                                      describe(reported), capacity));
  }
  const auto length = static_cast<std::size_t>(reported);
  if (length < expected.min || length > expected.max) {
    return bad_answer(
        fn, fmt::format("the module returned {} bytes, expected {}", length, describe(expected)));
  }
  return length;
}

std::string attribute_name(CK_ATTRIBUTE_TYPE type) {
  for (const auto& [known, name] : kAttributeNames) {
    if (known == type) return std::string(name);
  }
  return fmt::format("attribute 0x{:x}", type);
}

namespace attribute_length {

Result<std::size_t> reported(CK_ATTRIBUTE_TYPE type, CK_ULONG length) {
  if (length == CK_UNAVAILABLE_INFORMATION) {
    return bad_answer(Fn::GetAttributeValue,
                      fmt::format("{} has length CK_UNAVAILABLE_INFORMATION although the call "
                                  "succeeded (PKCS#11 v2.40 §5.7 requires an error)",
                                  attribute_name(type)));
  }
  if (length > kMaxAttributeBytes) {
    return bad_answer(Fn::GetAttributeValue,
                      fmt::format("{} claims {} bytes, more than the {} any attribute may have",
                                  attribute_name(type), length, kMaxAttributeBytes));
  }
  return static_cast<std::size_t>(length);
}

Result<std::size_t> written(CK_ATTRIBUTE_TYPE type, CK_ULONG length, std::size_t capacity) {
  if (length > capacity) {
    return bad_answer(Fn::GetAttributeValue,
                      fmt::format("{} came back with length {} for a buffer of {} (the value "
                                  "grew between the calls, or the module misreports it)",
                                  attribute_name(type), describe(length), capacity));
  }
  return static_cast<std::size_t>(length);
}

Result<void> fixed(CK_ATTRIBUTE_TYPE type, CK_ULONG length, std::size_t size) {
  if (length != size) {
    return bad_answer(Fn::GetAttributeValue,
                      fmt::format("{} came back with length {}, expected {}", attribute_name(type),
                                  describe(length), size));
  }
  return {};
}

}  // namespace attribute_length
}  // namespace craton::hsm::pkcs11
