// SPDX-License-Identifier: Apache-2.0
// Shared helpers for the config tests: a minimal valid document, scoped environment
// variables, and an assertion for "failed with ConfigInvalid mentioning X".
#pragma once

#include <craton/hsm/config.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace craton::hsm::testing {

// The smallest document that validates: a module path and one selector.
inline constexpr std::string_view kMinimalToml =
    "library_path = \"/usr/lib/softhsm/libsofthsm2.so\"\n"
    "token_label = \"ci-token\"\n";

// kMinimalToml followed by `extra` and a line end.
inline std::string with_minimal(std::string_view extra) {
  return std::string(kMinimalToml) + std::string(extra) + "\n";
}

// Sets (or, with nullopt, unsets) an environment variable for one scope and restores the
// previous state afterwards, so tests never leak PINs into each other.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string_view> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) previous_ = old;
    if (value) {
      setenv(name_.c_str(), std::string(*value).c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ~ScopedEnv() {
    if (previous_) {
      setenv(name_.c_str(), previous_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::optional<std::string> previous_;
};

// An environment variable name unique to the running test, so parallel or repeated tests
// never see each other's PINs.
inline std::string unique_env_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = fmt::format("CRATON_TEST_PIN_{}_{}", info->test_suite_name(), info->name());
  for (char& c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!ok) c = '_';
  }
  return name;
}

// Success when `result` failed with ConfigInvalid and its message contains `needle`.
template <typename T>
::testing::AssertionResult IsConfigInvalidMentioning(const Result<T>& result,
                                                     std::string_view needle) {
  if (result) return ::testing::AssertionFailure() << "succeeded, expected ConfigInvalid";
  const HsmError& error = result.error();
  if (error.code() != ErrorCode::ConfigInvalid) {
    return ::testing::AssertionFailure() << "failed with " << error << ", expected ConfigInvalid";
  }
  if (error.message().find(needle) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "message \"" << error.message() << "\" does not mention \"" << needle << "\"";
  }
  return ::testing::AssertionSuccess() << "ConfigInvalid: " << error.message();
}

}  // namespace craton::hsm::testing
