// SPDX-License-Identifier: Apache-2.0
// Opening and closing sessions.
#include "pkcs11/session/session.h"

#include <craton/hsm/diagnostics.h>

#include <utility>

namespace craton::hsm::pkcs11 {

Result<Session> Session::open(std::shared_ptr<const Module> module, CK_SLOT_ID slot) {
  CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(module->call<Fn::OpenSession>(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION,
                                                       static_cast<CK_VOID_PTR>(nullptr),
                                                       static_cast<CK_NOTIFY>(nullptr), &handle));
  return Session(std::move(module), slot, handle);
}

Session::Session(Session&& other) noexcept
    : module_(std::move(other.module_)),
      slot_(other.slot_),
      handle_(std::exchange(other.handle_, CK_INVALID_HANDLE)) {}

Session& Session::operator=(Session&& other) noexcept {
  if (this != &other) {
    close_reporting_failure();
    module_ = std::move(other.module_);
    slot_ = other.slot_;
    handle_ = std::exchange(other.handle_, CK_INVALID_HANDLE);
  }
  return *this;
}

Session::~Session() {
  close_reporting_failure();
}

Result<void> Session::close() {
  if (handle_ == CK_INVALID_HANDLE) return {};
  const CK_RV rv = module_->invoke<Fn::CloseSession>(std::exchange(handle_, CK_INVALID_HANDLE));
  // Gone either way: the module forgot the handle, or forgot everything (it lost its state and
  // answers CKR_CRYPTOKI_NOT_INITIALIZED; the pool brings it back with fresh sessions).
  if (rv == CKR_OK || rv == CKR_CRYPTOKI_NOT_INITIALIZED ||
      error_code_for(rv) == ErrorCode::SessionInvalid) {
    return {};
  }
  return std::unexpected(error_from_rv(rv, Fn::CloseSession));
}

void Session::close_reporting_failure() noexcept {
  if (auto closed = close(); !closed) report_diagnostic(closed.error());
}

}  // namespace craton::hsm::pkcs11
