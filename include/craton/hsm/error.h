// SPDX-License-Identifier: Apache-2.0
// HsmError, the ErrorCode callers switch on, Result<T>, and the two propagation macros.
#pragma once

#include <craton/hsm/export.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace craton::hsm {

// Stable codes: values never change meaning once released. Grouped by what a caller can do.
enum class ErrorCode : std::uint16_t {
  // Configuration and set-up: fix the deployment, retrying cannot help.
  ConfigInvalid = 1,
  LibraryLoad,
  LibraryPathUnprotected,
  NotAPkcs11Module,
  CryptokiNotInitialized,
  TokenNotFound,
  TokenNotRecognized,
  TokenWriteProtected,
  // Authentication: never retried automatically (retries lock tokens).
  PinIncorrect,
  PinLocked,
  PinExpired,
  PinInvalid,
  UserTypeInvalid,
  // Session and device state: the pool rebuilds the session, then a retry can succeed.
  NotLoggedIn,
  SessionInvalid,
  DeviceError,
  DeviceRemoved,
  TokenNotPresent,
  // Capacity: a later retry can succeed.
  PoolTimeout,
  DeviceMemory,
  HostMemory,
  SessionCount,
  OperationCanceled,
  // Key objects: re-resolve the key.
  KeyHandleInvalid,
  // The request itself: change the input.
  InvalidArgument,
  MechanismInvalid,
  MechanismParamInvalid,
  MechanismUnsupported,
  KeySizeRange,
  KeyTypeInconsistent,
  KeyFunctionNotPermitted,
  KeyNotExtractable,
  KeyNotFound,
  KeyAmbiguous,
  KeyAlreadyExists,
  KeyUsageLimitExceeded,
  AttributeInvalid,
  AttributeSensitive,
  TemplateInvalid,
  DataInvalid,
  DataLenRange,
  EncryptedDataInvalid,
  AuthenticationFailed,
  WrappedKeyInvalid,
  BufferTooSmall,
  FunctionNotSupported,
  // The token still runs an earlier operation on the session: its state is unknown, so the
  // pool rebuilds the session (action RebuildSession, despite its place in this list).
  OperationActive,
  // Everything the module reported that has no closer meaning, and our own bugs.
  AuditUnavailable,
  Pkcs11Failure,
  Internal,
  // Added after the first release, so earlier values keep their numbers.
  // The resident key's object was replaced: label and id now name an object that cannot be
  // proven to be the one the Key was made for (different public value or check value).
  KeyChanged,
  // A call that changes the token (generate, import, destroy) failed part-way and may or may
  // not have taken effect; the message says what the token holds now. Never retried.
  OutcomeUnknown,
  // The operation needs a user login and the backend holds no PIN: persistent private and
  // secret keys made without one would be usable by anyone with access to the token. Give the
  // PIN (pin_env, pin_file); retrying without one cannot help.
  LoginRequired,
  // The circuit breaker is open: the token failed at module level K times in a row, so calls
  // fail at once for a cool-down instead of hammering it. Retry after the cool-down.
  DeviceUnavailable,
  // The durable GCM budget store ([budget]) cannot be reached: encryption fails closed once the
  // counts already reserved are spent; decryption keeps working. Retry when the store is back.
  BudgetStoreUnavailable,
};

// What a caller (or the pool) can usefully do about an error.
enum class ErrorAction : std::uint8_t {
  Stop,            // permanent for this input or deployment
  RebuildSession,  // the session (or login) is gone: rebuild it, then retry
  ReResolveKey,    // the key handle is stale: look the key up again, then retry
  RetryLater,      // capacity or contention: back off and retry
};

[[nodiscard]] CRATON_HSM_API std::string_view error_code_name(ErrorCode code) noexcept;
[[nodiscard]] CRATON_HSM_API ErrorAction error_action(ErrorCode code) noexcept;

// One failure. `function` and `rv` are set when a PKCS#11 call failed; `rv_name` is the
// CKR_* name, empty for vendor-defined values (which then print as hex). Messages never
// contain secrets: PINs and key bytes are not passed to the constructors that build them.
class CRATON_HSM_API HsmError {
 public:
  HsmError(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  HsmError(ErrorCode code, std::string message, std::string_view function, std::uint64_t rv,
           std::string_view rv_name)
      : code_(code),
        message_(std::move(message)),
        function_(function),
        rv_(rv),
        rv_name_(rv_name) {}

  [[nodiscard]] ErrorCode code() const noexcept { return code_; }
  [[nodiscard]] const std::string& message() const noexcept { return message_; }
  // The PKCS#11 function that failed ("C_Login"), or empty when no call was involved.
  [[nodiscard]] std::string_view function() const noexcept { return function_; }
  [[nodiscard]] std::optional<std::uint64_t> rv() const noexcept { return rv_; }
  [[nodiscard]] std::string_view rv_name() const noexcept { return rv_name_; }
  [[nodiscard]] ErrorAction action() const noexcept { return error_action(code_); }
  // True when retrying (possibly after the action above) can help.
  [[nodiscard]] bool is_transient() const noexcept { return action() != ErrorAction::Stop; }

  // One line: "PinIncorrect: C_Login -> CKR_PIN_INCORRECT (0xa0): login refused".
  [[nodiscard]] std::string to_string() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::string_view function_;  // always a string literal
  std::optional<std::uint64_t> rv_;
  std::string_view rv_name_;  // always a string literal
};

CRATON_HSM_API std::ostream& operator<<(std::ostream& out, const HsmError& error);
CRATON_HSM_API std::ostream& operator<<(std::ostream& out, ErrorCode code);

template <typename T>
using Result = std::expected<T, HsmError>;

// Shorthand for returning a failure: `return fail(ErrorCode::DataLenRange, "...")`.
[[nodiscard]] inline std::unexpected<HsmError> fail(ErrorCode code, std::string message) {
  return std::unexpected<HsmError>(std::in_place, code, std::move(message));
}

}  // namespace craton::hsm

// GCC 12's std::expected has no and_then/transform, so errors propagate with two statements.
#define CRATON_CONCAT_INNER_(a, b) a##b
#define CRATON_CONCAT_(a, b) CRATON_CONCAT_INNER_(a, b)

#define CRATON_RETURN_IF_ERROR(expr)                                                      \
  do {                                                                                    \
    if (auto craton_status_ = (expr); !craton_status_) {                                  \
      return std::unexpected<::craton::hsm::HsmError>(std::move(craton_status_).error()); \
    }                                                                                     \
  } while (false)

#define CRATON_ASSIGN_OR_RETURN(lhs, expr) \
  CRATON_ASSIGN_OR_RETURN_IMPL_(CRATON_CONCAT_(craton_result_, __LINE__), lhs, expr)

// NOLINTBEGIN(bugprone-macro-parentheses): lhs is a declaration (`const auto x`), tmp a name
#define CRATON_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)                        \
  auto tmp = (expr);                                                         \
  if (!tmp) {                                                                \
    return std::unexpected<::craton::hsm::HsmError>(std::move(tmp).error()); \
  }                                                                          \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

template <>
struct fmt::formatter<craton::hsm::HsmError> : fmt::formatter<std::string_view> {
  auto format(const craton::hsm::HsmError& error, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(error.to_string(), ctx);
  }
};

template <>
struct fmt::formatter<craton::hsm::ErrorCode> : fmt::formatter<std::string_view> {
  auto format(craton::hsm::ErrorCode code, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(craton::hsm::error_code_name(code), ctx);
  }
};
