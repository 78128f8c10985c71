// SPDX-License-Identifier: Apache-2.0
// AES-GCM on the token: every encryption charged to the key's message budget (in memory, or in
// blocks reserved from a durable store), IVs sliced from the session's batch of token
// randomness, output iv ‖ ciphertext ‖ tag.
#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "core/output_buffer.h"
#include "pkcs11/session/input.h"
#include "pkcs11/session/output_length.h"

namespace craton::hsm::pkcs11 {
namespace {

CK_GCM_PARAMS gcm_params(std::span<const std::uint8_t> iv, ByteView aad) {
  CK_GCM_PARAMS params{};
  // The module only reads IV and AAD; the C structure just lacks the const.
  params.pIv = const_cast<CK_BYTE_PTR>(iv.data());
  params.ulIvLen = iv.size();
  params.ulIvBits = iv.size() * 8;  // v2.40 layout, which SoftHSM2 and NSS read
  params.pAAD = input_ptr(aad);
  params.ulAADLen = aad.size();
  params.ulTagBits = kGcmTagSize * 8;
  return params;
}

// The next fresh IV for this session, refilling its reserve from the token when empty.
Result<std::span<const std::uint8_t>> next_iv(Lease& lease) {
  if (auto iv = lease.ivs().take(); !iv.empty()) return iv;
  const std::span<std::uint8_t> buffer = lease.ivs().refill_buffer();
  CRATON_RETURN_IF_ERROR(
      lease.call<Fn::GenerateRandom>(buffer.data(), static_cast<CK_ULONG>(buffer.size())));
  lease.ivs().filled();
  return lease.ivs().take();
}

// Each direction's capability row (listed, with CKF_ENCRYPT / CKF_DECRYPT), before any token
// call (and before a message counts against the budget).
Result<void> require_gcm(const Capabilities& capabilities, bool decrypt) {
  return capabilities.table().require(aes_row(AesMode::Gcm, decrypt));
}

}  // namespace

HsmError Pkcs11PassthroughBackend::refuse_gcm(const KeyState& state) {
  const std::uint64_t limit = config_.gcm_max_messages_per_key;
  // With a durable store the budget is the store's (all processes sharing it), so say which.
  const std::string where =
      durable_budgets_ ? fmt::format(" in {}", durable_budgets_->describe()) : std::string();
  note_admin(AuditOperation::GcmBudgetRefused, state,
             fmt::format("budget of {} messages spent{}", limit, where));
  return HsmError(ErrorCode::KeyUsageLimitExceeded,
                  fmt::format("key {} reached its AES-GCM budget of {} messages{} (NIST SP "
                              "800-38D §8.3); rotate the key (docs/budgets.md)",
                              state.fingerprint.short_hex(), limit, where));
}

Result<std::size_t> Pkcs11PassthroughBackend::aes_gcm_encrypt_into(
    const Key& key, ByteView plaintext, ByteView aad, std::span<std::uint8_t> sealed_out) {
  CRATON_RETURN_IF_ERROR(check_no_overlap(sealed_out, {plaintext, aad}, "AES-GCM encryption"));
  CRATON_RETURN_IF_ERROR(check_input_size(plaintext.size() + aad.size(), "GCM input"));
  if (key.kind() != KeyKind::Aes) {
    return fail(ErrorCode::KeyTypeInconsistent, "AES-GCM needs an AES key");
  }
  CRATON_RETURN_IF_ERROR(require_gcm(capabilities_, /*decrypt=*/false));
  CRATON_RETURN_IF_ERROR(require_caller_gcm_iv(vendor_profile()));
  const std::size_t sealed_size = kGcmIvSize + plaintext.size() + kGcmTagSize;
  // Before the budget: a buffer the caller got wrong must not use up a message.
  CRATON_RETURN_IF_ERROR(check_output_size(sealed_out.size(), sealed_size, "AES-GCM encryption"));
  KeyState& state = key_state(key.material());
  const std::uint64_t limit = config_.gcm_max_messages_per_key;
  const auto refuse = [&] { return std::unexpected(refuse_gcm(state)); };
  // A durable store (docs/budgets.md): counts come from the block this process reserved; the
  // next block is reserved before the token is touched, and an unreachable store fails the
  // encryption closed (BudgetStoreUnavailable) once the block is spent.
  DurableBudgets::Counter* durable = nullptr;
  const auto charge_durable = [&]() -> Result<void> {
    Result<void> charged = durable_budgets_->charge(*durable, limit);
    if (charged || charged.error().code() != ErrorCode::KeyUsageLimitExceeded) return charged;
    return refuse();
  };
  // The first attempt's count is taken here, before any session or token call; a retry takes
  // another in the operation. A count taken for an attempt that never reaches the token is
  // lost: an over-count, the safe side.
  bool prepaid = false;
  if (durable_budgets_) {
    CRATON_ASSIGN_OR_RETURN(durable, durable_counter(state, key.material()));
    CRATON_RETURN_IF_ERROR(charge_durable());
    prepaid = true;
  } else if (GcmBudgets::used(*state.gcm) >= limit) {
    // A spent budget is refused before any token call.
    return refuse();
  }
  const std::span<std::uint8_t> sealed = sealed_out.first(sealed_size);
  return with_key<std::size_t>(
      key, KeyUsage::Cipher, [&](Lease& lease, CK_OBJECT_HANDLE object) -> Result<std::size_t> {
        // Every attempt counts, retries included, before its IV is drawn: an encryption that
        // then fails may still have happened on the token.
        if (durable != nullptr) {
          if (!std::exchange(prepaid, false)) CRATON_RETURN_IF_ERROR(charge_durable());
        } else if (!GcmBudgets::reserve(*state.gcm, limit)) {
          return refuse();
        }
        CRATON_ASSIGN_OR_RETURN(const std::span<const std::uint8_t> iv, next_iv(lease));
        std::copy(iv.begin(), iv.end(), sealed.begin());
        CK_GCM_PARAMS params = gcm_params(sealed.first(kGcmIvSize), aad);
        CK_MECHANISM mechanism{CKM_AES_GCM, &params, sizeof params};
        CRATON_RETURN_IF_ERROR(lease.call<Fn::EncryptInit>(&mechanism, object));
        // The output length is known (plaintext + tag): no length query round trip.
        CK_ULONG length = sealed.size() - kGcmIvSize;
        CRATON_RETURN_IF_ERROR(lease.call<Fn::Encrypt>(input_ptr(plaintext), input_len(plaintext),
                                                       sealed.data() + kGcmIvSize, &length));
        CRATON_RETURN_IF_ERROR(
            output_length(Fn::Encrypt, length, sealed.size() - kGcmIvSize,
                          ExpectedLength::exactly(plaintext.size() + kGcmTagSize)));
        return sealed.size();
      });
}

Result<std::size_t> Pkcs11PassthroughBackend::aes_gcm_decrypt_into(
    const Key& key, ByteView sealed, ByteView aad, std::span<std::uint8_t> plaintext_out) {
  CRATON_RETURN_IF_ERROR(check_no_overlap(plaintext_out, {sealed, aad}, "AES-GCM decryption"));
  // Whatever fails, the caller's buffer keeps no plaintext.
  return wipe_on_failure(gcm_decrypt_checked(key, sealed, aad, plaintext_out), plaintext_out);
}

Result<std::size_t> Pkcs11PassthroughBackend::gcm_decrypt_checked(
    const Key& key, ByteView sealed, ByteView aad, std::span<std::uint8_t> plaintext_out) {
  CRATON_RETURN_IF_ERROR(check_input_size(sealed.size() + aad.size(), "GCM input"));
  if (key.kind() != KeyKind::Aes) {
    return fail(ErrorCode::KeyTypeInconsistent, "AES-GCM needs an AES key");
  }
  CRATON_RETURN_IF_ERROR(require_gcm(capabilities_, /*decrypt=*/true));
  if (sealed.size() < kGcmIvSize + kGcmTagSize) {
    return fail(ErrorCode::AuthenticationFailed, "sealed message shorter than IV and tag");
  }
  const ByteView body = sealed.subspan(kGcmIvSize);
  const std::size_t plaintext_size = body.size() - kGcmTagSize;
  CRATON_RETURN_IF_ERROR(
      check_output_size(plaintext_out.size(), plaintext_size, "AES-GCM decryption"));
  // C_Decrypt wants room for ciphertext ‖ tag (SoftHSM2 checks for it): the caller's buffer
  // when it has that much, a wiping temporary otherwise.
  SecretBytes scratch;
  std::span<std::uint8_t> target = plaintext_out.first(std::min(plaintext_out.size(), body.size()));
  if (target.size() < body.size()) {
    scratch = SecretBytes::zeroed(body.size());
    target = scratch.expose_mut();
  }
  return with_key<std::size_t>(
      key, KeyUsage::Cipher, [&](Lease& lease, CK_OBJECT_HANDLE object) -> Result<std::size_t> {
        CK_GCM_PARAMS params = gcm_params(sealed.first(kGcmIvSize), aad);
        CK_MECHANISM mechanism{CKM_AES_GCM, &params, sizeof params};
        CRATON_RETURN_IF_ERROR(lease.call<Fn::DecryptInit>(&mechanism, object));
        CK_ULONG length = target.size();
        // A forged or corrupted message: whatever the module wrote gets wiped.
        const auto classify = [&](CK_RV rv, HsmError mapped) {
          if (is_aead_tag_failure(rv, capabilities_.general_error_reading())) {
            return fail(ErrorCode::AuthenticationFailed, "AES-GCM tag mismatch");
          }
          return std::unexpected(std::move(mapped));
        };
        CRATON_RETURN_IF_ERROR(lease.call_classified<Fn::Decrypt>(
            classify, input_ptr(body), input_len(body), target.data(), &length));
        CRATON_RETURN_IF_ERROR(output_length(Fn::Decrypt, length, target.size(),
                                             ExpectedLength::exactly(plaintext_size)));
        if (target.data() != plaintext_out.data()) {
          std::copy_n(target.begin(), plaintext_size, plaintext_out.begin());
        }
        return plaintext_size;
      });
}

}  // namespace craton::hsm::pkcs11
