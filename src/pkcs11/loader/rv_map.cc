// SPDX-License-Identifier: Apache-2.0
// CK_RV names (PKCS#11 v3.0 §5.1) and their ErrorCodes, as one sorted table.
#include "pkcs11/loader/rv_map.h"

#include <algorithm>
#include <array>

namespace craton::hsm::pkcs11 {
namespace {

struct RvInfo {
  CK_RV rv;
  std::string_view name;
  ErrorCode code;
};

using enum ErrorCode;

#define CRATON_RV(name, code) \
  RvInfo {                    \
    name, #name, code         \
  }

// Sorted by value; every return value defined by PKCS#11 v3.0.
constexpr std::array kRvTable{
    CRATON_RV(CKR_OK, Internal),
    CRATON_RV(CKR_CANCEL, OperationCanceled),
    CRATON_RV(CKR_HOST_MEMORY, HostMemory),
    CRATON_RV(CKR_SLOT_ID_INVALID, TokenNotFound),
    CRATON_RV(CKR_GENERAL_ERROR, Pkcs11Failure),
    CRATON_RV(CKR_FUNCTION_FAILED, Pkcs11Failure),
    CRATON_RV(CKR_ARGUMENTS_BAD, InvalidArgument),
    CRATON_RV(CKR_NO_EVENT, Pkcs11Failure),
    CRATON_RV(CKR_NEED_TO_CREATE_THREADS, Pkcs11Failure),
    CRATON_RV(CKR_CANT_LOCK, Pkcs11Failure),
    CRATON_RV(CKR_ATTRIBUTE_READ_ONLY, AttributeInvalid),
    CRATON_RV(CKR_ATTRIBUTE_SENSITIVE, AttributeSensitive),
    CRATON_RV(CKR_ATTRIBUTE_TYPE_INVALID, AttributeInvalid),
    CRATON_RV(CKR_ATTRIBUTE_VALUE_INVALID, AttributeInvalid),
    CRATON_RV(CKR_ACTION_PROHIBITED, KeyFunctionNotPermitted),
    CRATON_RV(CKR_DATA_INVALID, DataInvalid),
    CRATON_RV(CKR_DATA_LEN_RANGE, DataLenRange),
    CRATON_RV(CKR_DEVICE_ERROR, DeviceError),
    CRATON_RV(CKR_DEVICE_MEMORY, DeviceMemory),
    CRATON_RV(CKR_DEVICE_REMOVED, DeviceRemoved),
    CRATON_RV(CKR_ENCRYPTED_DATA_INVALID, EncryptedDataInvalid),
    CRATON_RV(CKR_ENCRYPTED_DATA_LEN_RANGE, EncryptedDataInvalid),
    CRATON_RV(CKR_FUNCTION_CANCELED, OperationCanceled),
    CRATON_RV(CKR_FUNCTION_NOT_PARALLEL, FunctionNotSupported),
    CRATON_RV(CKR_FUNCTION_NOT_SUPPORTED, FunctionNotSupported),
    CRATON_RV(CKR_KEY_HANDLE_INVALID, KeyHandleInvalid),
    CRATON_RV(CKR_KEY_SIZE_RANGE, KeySizeRange),
    CRATON_RV(CKR_KEY_TYPE_INCONSISTENT, KeyTypeInconsistent),
    CRATON_RV(CKR_KEY_NOT_NEEDED, InvalidArgument),
    CRATON_RV(CKR_KEY_CHANGED, KeyHandleInvalid),
    CRATON_RV(CKR_KEY_NEEDED, InvalidArgument),
    CRATON_RV(CKR_KEY_INDIGESTIBLE, KeyFunctionNotPermitted),
    CRATON_RV(CKR_KEY_FUNCTION_NOT_PERMITTED, KeyFunctionNotPermitted),
    CRATON_RV(CKR_KEY_NOT_WRAPPABLE, KeyNotExtractable),
    CRATON_RV(CKR_KEY_UNEXTRACTABLE, KeyNotExtractable),
    CRATON_RV(CKR_MECHANISM_INVALID, MechanismInvalid),
    CRATON_RV(CKR_MECHANISM_PARAM_INVALID, MechanismParamInvalid),
    CRATON_RV(CKR_OBJECT_HANDLE_INVALID, KeyHandleInvalid),
    CRATON_RV(CKR_OPERATION_ACTIVE, OperationActive),
    CRATON_RV(CKR_OPERATION_NOT_INITIALIZED, Pkcs11Failure),
    CRATON_RV(CKR_PIN_INCORRECT, PinIncorrect),
    CRATON_RV(CKR_PIN_INVALID, PinInvalid),
    CRATON_RV(CKR_PIN_LEN_RANGE, PinInvalid),
    CRATON_RV(CKR_PIN_EXPIRED, PinExpired),
    CRATON_RV(CKR_PIN_LOCKED, PinLocked),
    CRATON_RV(CKR_SESSION_CLOSED, SessionInvalid),
    CRATON_RV(CKR_SESSION_COUNT, SessionCount),
    CRATON_RV(CKR_SESSION_HANDLE_INVALID, SessionInvalid),
    CRATON_RV(CKR_SESSION_PARALLEL_NOT_SUPPORTED, FunctionNotSupported),
    CRATON_RV(CKR_SESSION_READ_ONLY, TokenWriteProtected),
    CRATON_RV(CKR_SESSION_EXISTS, Pkcs11Failure),
    CRATON_RV(CKR_SESSION_READ_ONLY_EXISTS, Pkcs11Failure),
    CRATON_RV(CKR_SESSION_READ_WRITE_SO_EXISTS, Pkcs11Failure),
    CRATON_RV(CKR_SIGNATURE_INVALID, AuthenticationFailed),
    CRATON_RV(CKR_SIGNATURE_LEN_RANGE, AuthenticationFailed),
    CRATON_RV(CKR_TEMPLATE_INCOMPLETE, TemplateInvalid),
    CRATON_RV(CKR_TEMPLATE_INCONSISTENT, TemplateInvalid),
    CRATON_RV(CKR_TOKEN_NOT_PRESENT, TokenNotPresent),
    CRATON_RV(CKR_TOKEN_NOT_RECOGNIZED, TokenNotRecognized),
    CRATON_RV(CKR_TOKEN_WRITE_PROTECTED, TokenWriteProtected),
    CRATON_RV(CKR_UNWRAPPING_KEY_HANDLE_INVALID, KeyHandleInvalid),
    CRATON_RV(CKR_UNWRAPPING_KEY_SIZE_RANGE, KeySizeRange),
    CRATON_RV(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT, KeyTypeInconsistent),
    CRATON_RV(CKR_USER_ALREADY_LOGGED_IN, Pkcs11Failure),
    CRATON_RV(CKR_USER_NOT_LOGGED_IN, NotLoggedIn),
    CRATON_RV(CKR_USER_PIN_NOT_INITIALIZED, PinInvalid),
    CRATON_RV(CKR_USER_TYPE_INVALID, UserTypeInvalid),
    CRATON_RV(CKR_USER_ANOTHER_ALREADY_LOGGED_IN, Pkcs11Failure),
    CRATON_RV(CKR_USER_TOO_MANY_TYPES, Pkcs11Failure),
    CRATON_RV(CKR_WRAPPED_KEY_INVALID, WrappedKeyInvalid),
    CRATON_RV(CKR_WRAPPED_KEY_LEN_RANGE, WrappedKeyInvalid),
    CRATON_RV(CKR_WRAPPING_KEY_HANDLE_INVALID, KeyHandleInvalid),
    CRATON_RV(CKR_WRAPPING_KEY_SIZE_RANGE, KeySizeRange),
    CRATON_RV(CKR_WRAPPING_KEY_TYPE_INCONSISTENT, KeyTypeInconsistent),
    CRATON_RV(CKR_RANDOM_SEED_NOT_SUPPORTED, FunctionNotSupported),
    CRATON_RV(CKR_RANDOM_NO_RNG, FunctionNotSupported),
    CRATON_RV(CKR_DOMAIN_PARAMS_INVALID, InvalidArgument),
    CRATON_RV(CKR_CURVE_NOT_SUPPORTED, MechanismUnsupported),
    CRATON_RV(CKR_BUFFER_TOO_SMALL, BufferTooSmall),
    CRATON_RV(CKR_SAVED_STATE_INVALID, Pkcs11Failure),
    CRATON_RV(CKR_INFORMATION_SENSITIVE, AttributeSensitive),
    CRATON_RV(CKR_STATE_UNSAVEABLE, Pkcs11Failure),
    CRATON_RV(CKR_CRYPTOKI_NOT_INITIALIZED, CryptokiNotInitialized),
    CRATON_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED, Pkcs11Failure),
    CRATON_RV(CKR_MUTEX_BAD, Pkcs11Failure),
    CRATON_RV(CKR_MUTEX_NOT_LOCKED, Pkcs11Failure),
    CRATON_RV(CKR_NEW_PIN_MODE, Pkcs11Failure),
    CRATON_RV(CKR_NEXT_OTP, Pkcs11Failure),
    CRATON_RV(CKR_EXCEEDED_MAX_ITERATIONS, Pkcs11Failure),
    CRATON_RV(CKR_FIPS_SELF_TEST_FAILED, DeviceError),
    CRATON_RV(CKR_LIBRARY_LOAD_FAILED, LibraryLoad),
    CRATON_RV(CKR_PIN_TOO_WEAK, PinInvalid),
    CRATON_RV(CKR_PUBLIC_KEY_INVALID, InvalidArgument),
    CRATON_RV(CKR_FUNCTION_REJECTED, KeyFunctionNotPermitted),
    RvInfo{kCkrTokenResourceExceeded, "CKR_TOKEN_RESOURCE_EXCEEDED", DeviceMemory},
    RvInfo{kCkrOperationCancelFailed, "CKR_OPERATION_CANCEL_FAILED", Pkcs11Failure},
};

#undef CRATON_RV

constexpr bool sorted_and_unique() {
  for (std::size_t i = 1; i < kRvTable.size(); ++i) {
    if (kRvTable[i - 1].rv >= kRvTable[i].rv) return false;
  }
  return true;
}
static_assert(sorted_and_unique(), "kRvTable must be sorted by value without duplicates");

const RvInfo* find(CK_RV rv) noexcept {
  const auto* it =
      std::lower_bound(kRvTable.begin(), kRvTable.end(), rv,
                       [](const RvInfo& info, CK_RV value) { return info.rv < value; });
  return it != kRvTable.end() && it->rv == rv ? it : nullptr;
}

}  // namespace

std::string_view rv_name(CK_RV rv) noexcept {
  const RvInfo* info = find(rv);
  return info != nullptr ? info->name : std::string_view{};
}

ErrorCode error_code_for(CK_RV rv) noexcept {
  const RvInfo* info = find(rv);
  return info != nullptr ? info->code : Pkcs11Failure;
}

HsmError error_from_rv(CK_RV rv, Fn fn, std::string message) {
  return HsmError(error_code_for(rv), std::move(message), function_name(fn), rv, rv_name(rv));
}

bool is_aead_tag_failure(CK_RV rv, GeneralErrorReading general_error) noexcept {
  if (rv == CKR_GENERAL_ERROR) return general_error == GeneralErrorReading::IntegrityFailure;
  return rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE;
}

bool is_clear_import_refusal(CK_RV rv) noexcept {
  return rv == CKR_TEMPLATE_INCONSISTENT || rv == CKR_ATTRIBUTE_VALUE_INVALID ||
         rv == CKR_ACTION_PROHIBITED;
}

bool is_template_refusal(CK_RV rv) noexcept {
  return rv == CKR_ATTRIBUTE_VALUE_INVALID || rv == CKR_ATTRIBUTE_TYPE_INVALID ||
         rv == CKR_TEMPLATE_INCONSISTENT || rv == CKR_GENERAL_ERROR;
}

Result<VerifyOutcome> classify_verify_result(CK_RV rv, Fn fn) {
  switch (rv) {
    case CKR_OK:
      return VerifyOutcome::Valid;
    case CKR_SIGNATURE_INVALID:
    case CKR_SIGNATURE_LEN_RANGE:
      return VerifyOutcome::Invalid;
    default:
      return std::unexpected(error_from_rv(rv, fn));
  }
}

}  // namespace craton::hsm::pkcs11
