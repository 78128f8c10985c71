// SPDX-License-Identifier: Apache-2.0
// ActiveOperations: which cryptographic operations a session has started and not yet ended,
// learnt from each call's function and answer, so that no session is handed out again with
// an operation still active (a later *Init would get CKR_OPERATION_ACTIVE).
#pragma once

#include <cstdint>
#include <tuple>

#include "pkcs11/loader/cryptoki.h"
#include "pkcs11/loader/functions.h"

namespace craton::hsm::pkcs11 {

// What one call does to its operation. The rules are the spec's (PKCS#11 v2.40 §5.2 and the
// function descriptions in §5.8–5.12):
// - *Init starts the operation when it answers CKR_OK, and leaves nothing started otherwise.
// - A final call (C_Encrypt, C_SignFinal, ...) ends it on every answer except
//   CKR_BUFFER_TOO_SMALL and a successful length query (a NULL output buffer).
// - An update ends it when it fails with anything but CKR_BUFFER_TOO_SMALL.
// - C_FindObjectsFinal ends a search only when it succeeds.
// A module that breaks these rules answers the next *Init with CKR_OPERATION_ACTIVE, which
// rebuilds the session (ErrorAction::RebuildSession): a wrong belief here costs one rebuild,
// never a stuck session.
class ActiveOperations {
 public:
  template <Fn F, typename... Args>
  void note(CK_RV rv, const Args&... args) noexcept {
    constexpr Role role = role_of(F);
    if constexpr (role.step == Step::Init) {
      if (rv == CKR_OK) active_ |= role.bit;
    } else if constexpr (role.step == Step::Final) {
      if (rv == CKR_BUFFER_TOO_SMALL) return;
      if constexpr (role.output >= 0) {
        if (rv == CKR_OK && std::get<role.output>(std::tie(args...)) == nullptr) return;
      }
      active_ &= ~role.bit;
    } else if constexpr (role.step == Step::Update) {
      if (rv != CKR_OK && rv != CKR_BUFFER_TOO_SMALL) active_ &= ~role.bit;
    } else if constexpr (role.step == Step::EndsOnSuccess) {
      if (rv == CKR_OK) active_ &= ~role.bit;
    }
  }

  // True while any operation may still be active.
  [[nodiscard]] bool any() const noexcept { return active_ != 0; }
  // The session was replaced: its operations died with it.
  void clear() noexcept { active_ = 0; }

 private:
  enum class Step : std::uint8_t { None, Init, Update, Final, EndsOnSuccess };
  struct Role {
    Step step = Step::None;
    std::uint8_t bit = 0;
    int output = -1;  // index of the output buffer argument of a final call, -1 for none
  };

  static constexpr std::uint8_t kEncrypt = 1;
  static constexpr std::uint8_t kDecrypt = 2;
  static constexpr std::uint8_t kDigest = 4;
  static constexpr std::uint8_t kSign = 8;
  static constexpr std::uint8_t kVerify = 16;
  static constexpr std::uint8_t kSignRecover = 32;
  static constexpr std::uint8_t kVerifyRecover = 64;
  static constexpr std::uint8_t kFind = 128;

  // Argument indices exclude the session handle: C_Encrypt(data, len, out, out_len) has its
  // output at 2, C_EncryptFinal(out, out_len) at 0.
  static constexpr Role role_of(Fn fn) noexcept {
    switch (fn) {
      case Fn::EncryptInit:
        return {Step::Init, kEncrypt};
      case Fn::DecryptInit:
        return {Step::Init, kDecrypt};
      case Fn::DigestInit:
        return {Step::Init, kDigest};
      case Fn::SignInit:
        return {Step::Init, kSign};
      case Fn::VerifyInit:
        return {Step::Init, kVerify};
      case Fn::SignRecoverInit:
        return {Step::Init, kSignRecover};
      case Fn::VerifyRecoverInit:
        return {Step::Init, kVerifyRecover};
      case Fn::FindObjectsInit:
        return {Step::Init, kFind};
      case Fn::EncryptUpdate:
        return {Step::Update, kEncrypt};
      case Fn::DecryptUpdate:
        return {Step::Update, kDecrypt};
      case Fn::DigestUpdate:
      case Fn::DigestKey:
        return {Step::Update, kDigest};
      case Fn::SignUpdate:
        return {Step::Update, kSign};
      case Fn::VerifyUpdate:
        return {Step::Update, kVerify};
      case Fn::Encrypt:
        return {Step::Final, kEncrypt, 2};
      case Fn::Decrypt:
        return {Step::Final, kDecrypt, 2};
      case Fn::Digest:
        return {Step::Final, kDigest, 2};
      case Fn::Sign:
        return {Step::Final, kSign, 2};
      case Fn::SignRecover:
        return {Step::Final, kSignRecover, 2};
      case Fn::VerifyRecover:
        return {Step::Final, kVerifyRecover, 2};
      case Fn::EncryptFinal:
        return {Step::Final, kEncrypt, 0};
      case Fn::DecryptFinal:
        return {Step::Final, kDecrypt, 0};
      case Fn::DigestFinal:
        return {Step::Final, kDigest, 0};
      case Fn::SignFinal:
        return {Step::Final, kSign, 0};
      case Fn::Verify:
      case Fn::VerifyFinal:
        return {Step::Final, kVerify};  // no output: every answer ends it
      case Fn::FindObjectsFinal:
        return {Step::EndsOnSuccess, kFind};
      default:
        return {};
    }
  }

  std::uint8_t active_ = 0;
};

}  // namespace craton::hsm::pkcs11
