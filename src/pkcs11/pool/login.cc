// SPDX-License-Identifier: Apache-2.0
// Single-flight login: the token's login state is shared by every session of the
// application (PKCS#11 v2.40 §5.6), so the pool logs in once and never per session.
#include <craton/hsm/secret.h>

#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {
namespace {

// Whether the session already runs with user rights. Modules that do not implement
// C_GetSessionInfo (CKR_FUNCTION_NOT_SUPPORTED) answer "unknown", and we log in.
Result<bool> has_user_rights(const Session& session) {
  CK_SESSION_INFO info{};
  const CK_RV rv = session.invoke<Fn::GetSessionInfo>(&info);
  if (rv == CKR_OK)
    return info.state == CKS_RW_USER_FUNCTIONS || info.state == CKS_RO_USER_FUNCTIONS;
  const HsmError error = error_from_rv(rv, Fn::GetSessionInfo);
  if (error.code() == ErrorCode::FunctionNotSupported) return false;
  return std::unexpected(error);
}

}  // namespace

Result<void> SessionPool::ensure_logged_in(const Session& session) {
  if (!options_.user_pin) return {};
  // Concurrent rebuilders queue here; the first logs in, the rest find the session already
  // carrying user rights and return without a second C_Login.
  const std::lock_guard lock(login_mutex_);
  CRATON_ASSIGN_OR_RETURN(const bool logged_in, has_user_rights(session));
  if (logged_in) return {};

  CK_RV rv = CKR_OK;
  {
    // Exactly one copy per login (seed: "hands exactly one owned copy ... per login"): the
    // module gets a buffer of its own, wiped when this scope ends.
    SecretString pin = options_.user_pin->clone();
    std::vector<CK_UTF8CHAR, WipingAllocator<CK_UTF8CHAR>> buffer(pin.expose().begin(),
                                                                  pin.expose().end());
    counters_.logins.fetch_add(1, std::memory_order_relaxed);
    rv = session.invoke<Fn::Login>(static_cast<CK_USER_TYPE>(CKU_USER), buffer.data(),
                                   static_cast<CK_ULONG>(buffer.size()));
  }
  if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
    emit({.kind = PoolEventKind::LoggedIn});
    return {};
  }
  HsmError error = error_from_rv(rv, Fn::Login, "user login refused");
  emit({.kind = PoolEventKind::LoginFailed, .error = error});
  return std::unexpected(std::move(error));
}

}  // namespace craton::hsm::pkcs11
