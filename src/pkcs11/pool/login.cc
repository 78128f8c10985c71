// SPDX-License-Identifier: Apache-2.0
// Single-flight login: the token's login state is shared by every session of the
// application (PKCS#11 v2.40 §5.6), so the pool logs in once and never per session; a PIN the
// token refuses is tried once and latched, never tried again.
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

// Exactly one copy of the PIN per login (seed: "hands exactly one owned copy ... per login"):
// the module gets a wiping buffer of its own, since C_Login takes a non-const pointer, wiped
// when the call returns.
CK_RV log_in(const Session& session, const SecretString& pin) {
  std::vector<CK_UTF8CHAR, WipingAllocator<CK_UTF8CHAR>> buffer(pin.expose().begin(),
                                                                pin.expose().end());
  return session.invoke<Fn::Login>(static_cast<CK_USER_TYPE>(CKU_USER), buffer.data(),
                                   static_cast<CK_ULONG>(buffer.size()));
}

// The answers that say the PIN itself is the problem (CKR_PIN_INCORRECT, _LOCKED, _EXPIRED,
// _INVALID, _LEN_RANGE, ...): the same PIN can only fail again, and each try brings a token
// closer to locking the user out.
bool refuses_the_pin(ErrorCode code) noexcept {
  return code == ErrorCode::PinIncorrect || code == ErrorCode::PinLocked ||
         code == ErrorCode::PinExpired || code == ErrorCode::PinInvalid;
}

}  // namespace

Result<void> SessionPool::ensure_logged_in(const Session& session) {
  if (!logs_in_) return {};
  // Concurrent rebuilders queue here; the first logs in, the rest find the session already
  // carrying user rights (or the pool latched) and return without a second C_Login.
  const std::lock_guard lock(login_mutex_);
  if (latched_login_) return std::unexpected(*latched_login_);
  CRATON_ASSIGN_OR_RETURN(const bool logged_in, has_user_rights(session));
  if (logged_in) return {};

  counters_.logins.fetch_add(1, std::memory_order_relaxed);
  const CK_RV rv = log_in(session, *user_pin_);
  if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
    emit({.kind = PoolEventKind::LoggedIn});
    return {};
  }
  const bool latch = refuses_the_pin(error_code_for(rv));
  HsmError error = error_from_rv(rv, Fn::Login,
                                 latch ? "user login refused; this PIN is not tried again "
                                         "(retries lock tokens): supply the right one with "
                                         "Pkcs11Backend::set_user_pin"
                                       : "user login refused");
  if (latch) {
    latched_login_ = error;
    login_latched_.store(true, std::memory_order_release);
  }
  emit({.kind = PoolEventKind::LoginFailed, .error = error});
  return std::unexpected(std::move(error));
}

bool SessionPool::lost_login(const Lease& lease) const {
  if (!logs_in_) return false;
  CK_SESSION_INFO info{};
  const CK_RV rv = lease.session().invoke<Fn::GetSessionInfo>(&info);
  // A module without C_GetSessionInfo cannot say: its searches are taken as they are. Any
  // other failure (a device error, a session the token dropped) leaves the login unknown, and
  // an unknown login cannot vouch for an empty search: the soak saw a resident key reported
  // missing after exactly that.
  if (rv == CKR_FUNCTION_NOT_SUPPORTED) return false;
  if (rv != CKR_OK) return true;
  return info.state != CKS_RW_USER_FUNCTIONS && info.state != CKS_RO_USER_FUNCTIONS;
}

std::optional<HsmError> SessionPool::latched_login_error() {
  const std::lock_guard lock(login_mutex_);
  return latched_login_;
}

Result<void> SessionPool::set_user_pin(SecretString pin) {
  if (!logs_in_) {
    return fail(ErrorCode::InvalidArgument,
                "set_user_pin: this backend was created without a user PIN and never logs in");
  }
  if (pin.empty()) return fail(ErrorCode::InvalidArgument, "set_user_pin: the PIN is empty");
  {
    const std::lock_guard lock(login_mutex_);
    user_pin_ = std::move(pin);
    latched_login_.reset();
    login_latched_.store(false, std::memory_order_release);
  }
  // A session without user rights is logged in now, a logged-in one needs no login (the new
  // PIN waits for the next), and one found dead is rebuilt, which logs in.
  return run([this](Lease& lease) {
    Result<void> logged_in = ensure_logged_in(lease.session());
    if (!logged_in) lease.note_failure(logged_in.error());
    return logged_in;
  });
}

}  // namespace craton::hsm::pkcs11
