// SPDX-License-Identifier: Apache-2.0
// Session: the move-only owner of one PKCS#11 session handle. The only code in the project
// that calls C_OpenSession / C_CloseSession.
#pragma once

#include <craton/hsm/error.h>

#include <cstdint>
#include <memory>

#include "pkcs11/loader/module.h"

namespace craton::hsm::pkcs11 {

// An RW serial session on one slot. Holds the Module alive. The destructor closes the session
// and reports (never swallows) a failure through report_diagnostic. Not thread-safe: one
// thread at a time, which the pool guarantees with its per-session mutex.
class Session {
 public:
  // Errors: the mapped C_OpenSession failure (TokenNotPresent, SessionCount, ...).
  static Result<Session> open(std::shared_ptr<const Module> module, CK_SLOT_ID slot);

  Session(Session&& other) noexcept;
  // Closes the session this object held before taking over `other`'s.
  Session& operator=(Session&& other) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  // Closes now. A handle the module already forgot (CKR_SESSION_HANDLE_INVALID / CLOSED, e.g.
  // after C_CloseAllSessions, or a module that lost its state) counts as closed. Idempotent.
  Result<void> close();

  // Runs C_<F>(handle, args...) on this session.
  template <Fn F, typename... Args>
  Result<void> call(Args... args) const {
    return module_->call<F>(handle_, args...);
  }
  template <Fn F, typename... Args>
  CK_RV invoke(Args... args) const noexcept {
    return module_->invoke<F>(handle_, args...);
  }

  [[nodiscard]] CK_SESSION_HANDLE handle() const noexcept { return handle_; }
  [[nodiscard]] CK_SLOT_ID slot() const noexcept { return slot_; }
  [[nodiscard]] bool is_open() const noexcept { return handle_ != CK_INVALID_HANDLE; }
  [[nodiscard]] const Module& module() const noexcept { return *module_; }
  [[nodiscard]] const std::shared_ptr<const Module>& shared_module() const noexcept {
    return module_;
  }

 private:
  Session(std::shared_ptr<const Module> module, CK_SLOT_ID slot, CK_SESSION_HANDLE handle)
      : module_(std::move(module)), slot_(slot), handle_(handle) {}
  void close_reporting_failure() noexcept;

  std::shared_ptr<const Module> module_;
  CK_SLOT_ID slot_ = 0;
  CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
};

}  // namespace craton::hsm::pkcs11
