// SPDX-License-Identifier: Apache-2.0
// Matchers for backend results that read like the contract: Verifies(), IsInvalid(),
// HoldsBytes(expected), Wrote(size), FailsAsBadLength(), plus ASSERT_OK_AND_ASSIGN.
#pragma once

#include <craton/hsm/backend.h>

#include <algorithm>
#include <string>

#include <gmock/gmock.h>

#include "backends/conformance/bytes.h"
#include "support/matchers.h"

namespace craton::hsm::conformance {

inline ByteView view_of(const Bytes& bytes) {
  return bytes;
}
inline ByteView view_of(const SecretBytes& secret) {
  return secret.expose();
}

// A verification that completed and accepted the signature or tag.
MATCHER(Verifies, "verifies as Valid") {
  if (!arg.has_value()) {
    *result_listener << "failed with " << arg.error().to_string();
    return false;
  }
  *result_listener << (*arg == VerifyOutcome::Valid ? "Valid" : "Invalid");
  return *arg == VerifyOutcome::Valid;
}

// A verification that completed and rejected the signature or tag: Invalid, not an error.
MATCHER(IsInvalid, "answers Invalid (not an error)") {
  if (!arg.has_value()) {
    *result_listener << "failed with " << arg.error().to_string();
    return false;
  }
  *result_listener << (*arg == VerifyOutcome::Valid ? "Valid" : "Invalid");
  return *arg == VerifyOutcome::Invalid;
}

// A Result<Bytes> or Result<SecretBytes> that succeeded with exactly `expected`.
MATCHER_P(HoldsBytes, expected, "succeeds with " + to_hex(ByteView(expected))) {
  if (!arg.has_value()) {
    *result_listener << "failed with " << arg.error().to_string();
    return false;
  }
  const ByteView actual = view_of(*arg);
  const ByteView wanted(expected);
  *result_listener << "holds " << to_hex(actual);
  return actual.size() == wanted.size() && std::equal(actual.begin(), actual.end(), wanted.begin());
}

// A Result<Bytes> or Result<SecretBytes> that succeeded with `size` bytes.
MATCHER_P(HoldsBytesOfSize, size, "succeeds with " + std::to_string(size) + " bytes") {
  if (!arg.has_value()) {
    *result_listener << "failed with " << arg.error().to_string();
    return false;
  }
  *result_listener << "holds " << view_of(*arg).size() << " bytes";
  return view_of(*arg).size() == static_cast<std::size_t>(size);
}

// A Result<std::size_t> of an `_into` operation that succeeded having written `size` bytes.
MATCHER_P(Wrote, size, "succeeds having written " + std::to_string(size) + " bytes") {
  if (!arg.has_value()) {
    *result_listener << "failed with " << arg.error().to_string();
    return false;
  }
  *result_listener << "wrote " << *arg << " bytes";
  return *arg == static_cast<std::size_t>(size);
}

// backend.h: "a bad length DataLenRange / KeySizeRange / InvalidArgument".
MATCHER(FailsAsBadLength, "fails with DataLenRange, KeySizeRange or InvalidArgument") {
  if (arg.has_value()) {
    *result_listener << "succeeded";
    return false;
  }
  *result_listener << "failed with " << arg.error().to_string();
  const ErrorCode code = arg.error().code();
  return code == ErrorCode::DataLenRange || code == ErrorCode::KeySizeRange ||
         code == ErrorCode::InvalidArgument;
}

}  // namespace craton::hsm::conformance

#define CRATON_CONF_CONCAT_INNER_(a, b) a##b
#define CRATON_CONF_CONCAT_(a, b) CRATON_CONF_CONCAT_INNER_(a, b)

// `lhs = value of expr`, or a fatal test failure naming the error.
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(CRATON_CONF_CONCAT_(conformance_result_, __LINE__), lhs, expr)
// NOLINTBEGIN(bugprone-macro-parentheses): lhs is a declaration (`const auto x`), tmp a name
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)           \
  auto tmp = (expr);                                         \
  ASSERT_THAT(tmp, ::craton::hsm::testing::IsOk()) << #expr; \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
