// SPDX-License-Identifier: Apache-2.0
// Secret-key check values: the token's own, or one the token computes with the key.
#include "backends/pkcs11/check_value.h"

#include <array>

#include "backends/pkcs11/object_search.h"

namespace craton::hsm::pkcs11 {
namespace {

// How a check value was obtained; the first byte of every value.
enum class Form : std::uint8_t { Attribute = 'A', Encrypted = 'E', Decrypted = 'D', Mac = 'M' };

// Enough of a computed value to tell keys apart; CKA_CHECK_VALUE itself is 3 bytes.
constexpr std::size_t kComputedBytes = 8;

// Errors that mean "this key or token cannot compute it this way": try the next way.
bool refused(const HsmError& error) {
  switch (error.code()) {
    case ErrorCode::KeyFunctionNotPermitted:
    case ErrorCode::KeyTypeInconsistent:
    case ErrorCode::MechanismInvalid:
    case ErrorCode::MechanismParamInvalid:
    case ErrorCode::FunctionNotSupported:
    case ErrorCode::KeySizeRange:
      return true;
    default:
      return false;
  }
}

std::vector<std::uint8_t> tagged(Form form, std::span<const std::uint8_t> value) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(form)};
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

// One single-part token operation over fixed input: init(mechanism, key), then run.
template <Fn Init, Fn Run>
Result<std::optional<std::vector<std::uint8_t>>> computed(Lease& lease, CK_OBJECT_HANDLE object,
                                                          CK_MECHANISM_TYPE type, Form form,
                                                          std::span<const std::uint8_t> input) {
  CK_MECHANISM mechanism{type, nullptr, 0};
  if (auto started = lease.call<Init>(&mechanism, object); !started) {
    if (refused(started.error())) return std::nullopt;
    return std::unexpected(std::move(started).error());
  }
  std::array<std::uint8_t, 64> output{};
  CK_ULONG length = output.size();
  CRATON_RETURN_IF_ERROR(lease.call<Run>(const_cast<CK_BYTE_PTR>(input.data()),
                                         static_cast<CK_ULONG>(input.size()), output.data(),
                                         &length));
  if (length < kComputedBytes) {
    return fail(ErrorCode::Pkcs11Failure, "the token's check value computation was too short");
  }
  return tagged(form, std::span(output).first(kComputedBytes));
}

}  // namespace

Result<std::vector<std::uint8_t>> secret_check_value(Lease& lease, CK_OBJECT_HANDLE object,
                                                     KeyKind kind) {
  static constexpr std::array<std::uint8_t, 16> kZeroBlock{};
  static constexpr std::array<std::uint8_t, 20> kMacInput{'c', 'r', 'a', 't', 'o', 'n', '.',
                                                          'k', 'e', 'y', '-', 'c', 'h', 'e',
                                                          'c', 'k', '.', 'v', '1', '\0'};
  std::optional<std::vector<std::uint8_t>> value;
  if (kind == KeyKind::Aes) {
    CRATON_ASSIGN_OR_RETURN(value, (computed<Fn::EncryptInit, Fn::Encrypt>(
                                       lease, object, CKM_AES_ECB, Form::Encrypted, kZeroBlock)));
    if (!value) {
      CRATON_ASSIGN_OR_RETURN(value, (computed<Fn::DecryptInit, Fn::Decrypt>(
                                         lease, object, CKM_AES_ECB, Form::Decrypted, kZeroBlock)));
    }
  } else if (kind == KeyKind::Hmac) {
    CRATON_ASSIGN_OR_RETURN(value, (computed<Fn::SignInit, Fn::Sign>(lease, object, CKM_SHA256_HMAC,
                                                                     Form::Mac, kMacInput)));
  }
  if (value) return std::move(*value);
  // Only 3 bytes (v2.40 §4.10): a replacement matching them takes about 2^24 tries, so it is
  // the fallback for keys the token will not compute with, not the first choice.
  CRATON_ASSIGN_OR_RETURN(const auto stored, read_optional_bytes(lease, object, CKA_CHECK_VALUE));
  if (stored && !stored->empty()) return tagged(Form::Attribute, *stored);
  return std::vector<std::uint8_t>{};
}

}  // namespace craton::hsm::pkcs11
