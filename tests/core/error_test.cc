// SPDX-License-Identifier: Apache-2.0
// HsmError: names, actions, one-line text, and the propagation macros.
#include <craton/hsm/error.h>

#include <set>
#include <sstream>
#include <utility>

#include <gtest/gtest.h>

namespace craton::hsm {
namespace {

TEST(ErrorCodeTest, EveryCodeHasADistinctName) {
  std::set<std::string_view> names;
  for (auto value = std::to_underlying(ErrorCode::ConfigInvalid);
       value <= std::to_underlying(ErrorCode::BudgetStoreUnavailable); ++value) {
    const auto name = error_code_name(static_cast<ErrorCode>(value));
    EXPECT_NE(name, "UnknownErrorCode") << "code " << value;
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
  }
  EXPECT_EQ(error_code_name(static_cast<ErrorCode>(0)), "UnknownErrorCode");
  EXPECT_EQ(error_code_name(ErrorCode::KeyChanged), "KeyChanged");
  EXPECT_EQ(error_code_name(ErrorCode::OutcomeUnknown), "OutcomeUnknown");
}

TEST(ErrorCodeTest, ActionsGroupWhatACallerCanDo) {
  EXPECT_EQ(error_action(ErrorCode::PinIncorrect), ErrorAction::Stop);
  EXPECT_EQ(error_action(ErrorCode::SessionInvalid), ErrorAction::RebuildSession);
  EXPECT_EQ(error_action(ErrorCode::NotLoggedIn), ErrorAction::RebuildSession);
  EXPECT_EQ(error_action(ErrorCode::DeviceRemoved), ErrorAction::RebuildSession);
  EXPECT_EQ(error_action(ErrorCode::KeyHandleInvalid), ErrorAction::ReResolveKey);
  EXPECT_EQ(error_action(ErrorCode::PoolTimeout), ErrorAction::RetryLater);
  EXPECT_FALSE(HsmError(ErrorCode::PinLocked, "").is_transient());
  EXPECT_TRUE(HsmError(ErrorCode::DeviceError, "").is_transient());
}

TEST(HsmErrorTest, PrintsOneLineWithFunctionAndReturnValueName) {
  const HsmError error(ErrorCode::PinIncorrect, "user login refused", "C_Login", 0xa0,
                       "CKR_PIN_INCORRECT");
  EXPECT_EQ(error.to_string(),
            "PinIncorrect: C_Login -> CKR_PIN_INCORRECT (0xa0): user login refused");
  EXPECT_EQ(fmt::format("{}", error), error.to_string());
  std::ostringstream stream;
  stream << error;
  EXPECT_EQ(stream.str(), error.to_string());
  EXPECT_EQ(error.to_string().find('\n'), std::string::npos);
}

TEST(HsmErrorTest, VendorDefinedValuesPrintAsHex) {
  const HsmError error(ErrorCode::Pkcs11Failure, "", "C_Sign", 0x80000123, "");
  EXPECT_EQ(error.to_string(), "Pkcs11Failure: C_Sign -> vendor-defined CKR 0x80000123");
  ASSERT_TRUE(error.rv().has_value());
  EXPECT_EQ(*error.rv(), 0x80000123u);
}

TEST(HsmErrorTest, ErrorsWithoutACallHaveNoFunction) {
  const HsmError error(ErrorCode::ConfigInvalid, "pool_size: must be >= 1");
  EXPECT_EQ(error.to_string(), "ConfigInvalid: pool_size: must be >= 1");
  EXPECT_TRUE(error.function().empty());
  EXPECT_FALSE(error.rv().has_value());
}

Result<int> parse_positive(int value) {
  if (value <= 0) return fail(ErrorCode::InvalidArgument, "not positive");
  return value;
}

Result<int> doubled(int value) {
  CRATON_ASSIGN_OR_RETURN(const int parsed, parse_positive(value));
  return parsed * 2;
}

Result<void> check(int value) {
  CRATON_RETURN_IF_ERROR(parse_positive(value));
  return {};
}

TEST(PropagationMacrosTest, PassValuesAndErrorsThrough) {
  EXPECT_EQ(doubled(21).value(), 42);
  ASSERT_FALSE(doubled(-1).has_value());
  EXPECT_EQ(doubled(-1).error().code(), ErrorCode::InvalidArgument);
  EXPECT_TRUE(check(1).has_value());
  EXPECT_EQ(check(0).error().code(), ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace craton::hsm
