// SPDX-License-Identifier: Apache-2.0
// Fn, the names of the PKCS#11 v2.40 function-list entries: one enum value, one name and one
// CK_FUNCTION_LIST member per function, generated from the single list below.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "pkcs11/loader/cryptoki.h"

// X(name): every entry of CK_FUNCTION_LIST (PKCS#11 v2.40 §5.2), in header order.
// clang-format off
#define CRATON_PKCS11_FUNCTIONS(X) \
  X(Initialize) X(Finalize) X(GetInfo) X(GetFunctionList) X(GetSlotList) \
  X(GetSlotInfo) X(GetTokenInfo) X(GetMechanismList) X(GetMechanismInfo) X(InitToken) \
  X(InitPIN) X(SetPIN) X(OpenSession) X(CloseSession) X(CloseAllSessions) \
  X(GetSessionInfo) X(GetOperationState) X(SetOperationState) X(Login) X(Logout) \
  X(CreateObject) X(CopyObject) X(DestroyObject) X(GetObjectSize) X(GetAttributeValue) \
  X(SetAttributeValue) X(FindObjectsInit) X(FindObjects) X(FindObjectsFinal) X(EncryptInit) \
  X(Encrypt) X(EncryptUpdate) X(EncryptFinal) X(DecryptInit) X(Decrypt) \
  X(DecryptUpdate) X(DecryptFinal) X(DigestInit) X(Digest) X(DigestUpdate) \
  X(DigestKey) X(DigestFinal) X(SignInit) X(Sign) X(SignUpdate) \
  X(SignFinal) X(SignRecoverInit) X(SignRecover) X(VerifyInit) X(Verify) \
  X(VerifyUpdate) X(VerifyFinal) X(VerifyRecoverInit) X(VerifyRecover) X(DigestEncryptUpdate) \
  X(DecryptDigestUpdate) X(SignEncryptUpdate) X(DecryptVerifyUpdate) X(GenerateKey) X(GenerateKeyPair) \
  X(WrapKey) X(UnwrapKey) X(DeriveKey) X(SeedRandom) X(GenerateRandom) \
  X(GetFunctionStatus) X(CancelFunction) X(WaitForSlotEvent)
// clang-format on

namespace craton::hsm::pkcs11 {

#define CRATON_ENUM_ENTRY(name) name,
enum class Fn : std::size_t { CRATON_PKCS11_FUNCTIONS(CRATON_ENUM_ENTRY) };
#undef CRATON_ENUM_ENTRY

#define CRATON_COUNT_ENTRY(name) +1  // NOLINT(bugprone-macro-parentheses): a term of 0 +1 +1...
inline constexpr std::size_t kFnCount = 0 CRATON_PKCS11_FUNCTIONS(CRATON_COUNT_ENTRY);
#undef CRATON_COUNT_ENTRY

#define CRATON_NAME_ENTRY(name) "C_" #name,
inline constexpr std::array<std::string_view, kFnCount> kFnNames{
    CRATON_PKCS11_FUNCTIONS(CRATON_NAME_ENTRY)};
#undef CRATON_NAME_ENTRY

// "C_Sign" for Fn::Sign: a string literal, safe to keep in HsmError.
constexpr std::string_view function_name(Fn fn) {
  return kFnNames[static_cast<std::size_t>(fn)];
}

// The CK_FUNCTION_LIST member that implements `F`.
template <Fn F>
inline constexpr auto kMember = nullptr;
#define CRATON_MEMBER_ENTRY(name) \
  template <>                     \
  inline constexpr auto kMember<Fn::name> = &CK_FUNCTION_LIST::C_##name;
CRATON_PKCS11_FUNCTIONS(CRATON_MEMBER_ENTRY)
#undef CRATON_MEMBER_ENTRY

}  // namespace craton::hsm::pkcs11
