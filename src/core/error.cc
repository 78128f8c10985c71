// SPDX-License-Identifier: Apache-2.0
// Names, actions and text of HsmError.
#include <craton/hsm/error.h>

#include <array>
#include <utility>

namespace craton::hsm {
namespace {

struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  ErrorAction action;
};

using enum ErrorCode;
using enum ErrorAction;

// One row per code, in enum order (checked at compile time below).
constexpr std::array kCodes{
    CodeInfo{ConfigInvalid, "ConfigInvalid", Stop},
    CodeInfo{LibraryLoad, "LibraryLoad", Stop},
    CodeInfo{LibraryPathUnprotected, "LibraryPathUnprotected", Stop},
    CodeInfo{NotAPkcs11Module, "NotAPkcs11Module", Stop},
    CodeInfo{CryptokiNotInitialized, "CryptokiNotInitialized", Stop},
    CodeInfo{TokenNotFound, "TokenNotFound", Stop},
    CodeInfo{TokenNotRecognized, "TokenNotRecognized", Stop},
    CodeInfo{TokenWriteProtected, "TokenWriteProtected", Stop},
    CodeInfo{PinIncorrect, "PinIncorrect", Stop},
    CodeInfo{PinLocked, "PinLocked", Stop},
    CodeInfo{PinExpired, "PinExpired", Stop},
    CodeInfo{PinInvalid, "PinInvalid", Stop},
    CodeInfo{UserTypeInvalid, "UserTypeInvalid", Stop},
    CodeInfo{NotLoggedIn, "NotLoggedIn", RebuildSession},
    CodeInfo{SessionInvalid, "SessionInvalid", RebuildSession},
    CodeInfo{DeviceError, "DeviceError", RebuildSession},
    CodeInfo{DeviceRemoved, "DeviceRemoved", RebuildSession},
    CodeInfo{TokenNotPresent, "TokenNotPresent", RebuildSession},
    CodeInfo{PoolTimeout, "PoolTimeout", RetryLater},
    CodeInfo{DeviceMemory, "DeviceMemory", RetryLater},
    CodeInfo{HostMemory, "HostMemory", RetryLater},
    CodeInfo{SessionCount, "SessionCount", RetryLater},
    CodeInfo{OperationCanceled, "OperationCanceled", RetryLater},
    CodeInfo{KeyHandleInvalid, "KeyHandleInvalid", ReResolveKey},
    CodeInfo{InvalidArgument, "InvalidArgument", Stop},
    CodeInfo{MechanismInvalid, "MechanismInvalid", Stop},
    CodeInfo{MechanismParamInvalid, "MechanismParamInvalid", Stop},
    CodeInfo{MechanismUnsupported, "MechanismUnsupported", Stop},
    CodeInfo{KeySizeRange, "KeySizeRange", Stop},
    CodeInfo{KeyTypeInconsistent, "KeyTypeInconsistent", Stop},
    CodeInfo{KeyFunctionNotPermitted, "KeyFunctionNotPermitted", Stop},
    CodeInfo{KeyNotExtractable, "KeyNotExtractable", Stop},
    CodeInfo{KeyNotFound, "KeyNotFound", Stop},
    CodeInfo{KeyAmbiguous, "KeyAmbiguous", Stop},
    CodeInfo{KeyAlreadyExists, "KeyAlreadyExists", Stop},
    CodeInfo{KeyUsageLimitExceeded, "KeyUsageLimitExceeded", Stop},
    CodeInfo{AttributeInvalid, "AttributeInvalid", Stop},
    CodeInfo{AttributeSensitive, "AttributeSensitive", Stop},
    CodeInfo{TemplateInvalid, "TemplateInvalid", Stop},
    CodeInfo{DataInvalid, "DataInvalid", Stop},
    CodeInfo{DataLenRange, "DataLenRange", Stop},
    CodeInfo{EncryptedDataInvalid, "EncryptedDataInvalid", Stop},
    CodeInfo{AuthenticationFailed, "AuthenticationFailed", Stop},
    CodeInfo{WrappedKeyInvalid, "WrappedKeyInvalid", Stop},
    CodeInfo{BufferTooSmall, "BufferTooSmall", Stop},
    CodeInfo{FunctionNotSupported, "FunctionNotSupported", Stop},
    // The session holds an operation nobody ended (a module that broke the spec, state we
    // never saw): nothing ran, and a rebuilt session has no operation active.
    CodeInfo{OperationActive, "OperationActive", RebuildSession},
    CodeInfo{AuditUnavailable, "AuditUnavailable", RetryLater},
    CodeInfo{Pkcs11Failure, "Pkcs11Failure", Stop},
    CodeInfo{Internal, "Internal", Stop},
    CodeInfo{KeyChanged, "KeyChanged", Stop},
    CodeInfo{OutcomeUnknown, "OutcomeUnknown", Stop},
    CodeInfo{LoginRequired, "LoginRequired", Stop},
    CodeInfo{DeviceUnavailable, "DeviceUnavailable", RetryLater},
    CodeInfo{BudgetStoreUnavailable, "BudgetStoreUnavailable", RetryLater},
};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kCodes.size(); ++i) {
    if (std::to_underlying(kCodes[i].code) != i + 1) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "kCodes must list every ErrorCode in declaration order");
static_assert(std::to_underlying(BudgetStoreUnavailable) == kCodes.size(),
              "kCodes must end with the last ErrorCode");

const CodeInfo* find(ErrorCode code) noexcept {
  const auto index = static_cast<std::size_t>(std::to_underlying(code));
  return index >= 1 && index <= kCodes.size() ? &kCodes[index - 1] : nullptr;
}

}  // namespace

std::string_view error_code_name(ErrorCode code) noexcept {
  const CodeInfo* info = find(code);
  return info != nullptr ? info->name : "UnknownErrorCode";
}

ErrorAction error_action(ErrorCode code) noexcept {
  const CodeInfo* info = find(code);
  return info != nullptr ? info->action : Stop;
}

std::string HsmError::to_string() const {
  std::string text{error_code_name(code_)};
  text += ": ";
  if (!function_.empty()) {
    text += function_;
    if (rv_) {
      text += rv_name_.empty() ? fmt::format(" -> vendor-defined CKR 0x{:x}", *rv_)
                               : fmt::format(" -> {} (0x{:x})", rv_name_, *rv_);
    }
    if (!message_.empty()) text += ": ";
  }
  text += message_;
  return text;
}

std::ostream& operator<<(std::ostream& out, const HsmError& error) {
  return out << error.to_string();
}

std::ostream& operator<<(std::ostream& out, ErrorCode code) {
  return out << error_code_name(code);
}

}  // namespace craton::hsm
