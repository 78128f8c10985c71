// SPDX-License-Identifier: Apache-2.0
// Secret-key check values (the token's own, or one the token computes with the key), and the
// signature that shows a private key is the one a public value belongs to.
#include "backends/pkcs11/check_value.h"

#include <algorithm>
#include <array>

#include "backends/common/algorithms.h"
#include "backends/common/signature_scheme.h"
#include "backends/common/signature_verify.h"
#include "pkcs11/session/object_search.h"
#include "pkcs11/session/output_length.h"

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
  // Sized up front: GCC 12's -Warray-bounds misreads insert() after a one-element init (Release,
  // -Werror).
  std::vector<std::uint8_t> out(value.size() + 1);
  out[0] = static_cast<std::uint8_t>(form);
  std::ranges::copy(value, out.begin() + 1);
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
  CRATON_RETURN_IF_ERROR(output_length(Run, length, output.size(),
                                       ExpectedLength::between(kComputedBytes, output.size())));
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

Result<bool> holds_private_key(Lease& lease, CK_OBJECT_HANDLE object, const KeyMaterial& material) {
  if (material.kind != KeyKind::EcPrivate && material.kind != KeyKind::Ed25519Private) return true;
  CRATON_ASSIGN_OR_RETURN(const auto can_sign, read_bool_attribute(lease, object, CKA_SIGN));
  if (!can_sign.value_or(false)) return true;
  static constexpr std::array<std::uint8_t, 48> kChallenge = [] {
    std::array<std::uint8_t, 48> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(0xa5 ^ i);
    return bytes;
  }();
  const bool eddsa = material.kind == KeyKind::Ed25519Private;
  const SignScheme scheme = eddsa                             ? SignScheme::Ed25519
                            : material.curve == EcCurve::P384 ? SignScheme::EcdsaP384Sha384
                                                              : SignScheme::EcdsaP256Sha256;
  // ECDSA signs the challenge as a digest of the curve's hash size; Ed25519 as a message.
  const std::span<const std::uint8_t> input =
      std::span(kChallenge).first(scheme == SignScheme::EcdsaP384Sha384 ? 48 : 32);
  CK_MECHANISM mechanism{eddsa ? CKM_EDDSA : CKM_ECDSA, nullptr, 0};
  if (auto started = lease.call<Fn::SignInit>(&mechanism, object); !started) {
    // A token that will not sign with it after all: as a key that may not sign.
    const ErrorCode code = started.error().code();
    if (code == ErrorCode::KeyFunctionNotPermitted || code == ErrorCode::MechanismInvalid ||
        code == ErrorCode::FunctionNotSupported) {
      return true;
    }
    return std::unexpected(std::move(started).error());
  }
  std::array<std::uint8_t, 132> signature{};
  CK_ULONG length = signature.size();
  CRATON_RETURN_IF_ERROR(lease.call<Fn::Sign>(const_cast<CK_BYTE_PTR>(input.data()),
                                              static_cast<CK_ULONG>(input.size()), signature.data(),
                                              &length));
  const Result<Key> public_half = eddsa ? Key::ed25519_public(material.public_point)
                                        : Key::ec_public(*material.curve, material.public_point);
  if (!public_half) return false;
  // Never a span past the buffer, never an empty signature taken for a wrong key.
  CRATON_ASSIGN_OR_RETURN(
      const std::size_t signed_length,
      output_length(Fn::Sign, length, signature.size(), ExpectedLength::some()));
  const std::span<const std::uint8_t> signed_bytes = std::span(signature).first(signed_length);
  // Checked on the host exactly as the software backend verifies (backends/common).
  const common::Algorithms algorithms;
  CRATON_ASSIGN_OR_RETURN(EVP_PKEY* const pkey,
                          common::scheme_key(*public_half, scheme, common::KeyUse::Verify));
  CRATON_ASSIGN_OR_RETURN(const EVP_MD* const md, common::scheme_digest(algorithms, scheme));
  CRATON_ASSIGN_OR_RETURN(
      const VerifyOutcome outcome,
      common::verify_signature(pkey, scheme, md,
                               eddsa ? common::Signed::Message : common::Signed::Digest, input,
                               signed_bytes, SignatureEncoding::Raw));
  return outcome == VerifyOutcome::Valid;
}

}  // namespace craton::hsm::pkcs11
