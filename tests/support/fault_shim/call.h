// SPDX-License-Identifier: Apache-2.0
// Call: the envelope of every C_ function the shim answers (count, decide the faults, sleep,
// refuse or forward, translate the session handle, replace the answer), and Forward, the
// envelope around functions whose only handle is the session.
#pragma once

#include <tuple>
#include <type_traits>

#include "device.h"
#include "fault_plan.h"
#include "handles.h"
#include "pkcs11/loader/functions.h"
#include "real_module.h"
#include "vendor_answers.h"

namespace craton::hsm::fault_shim {

// What a vanished device answers a function with: nothing for module-level calls (the
// library is still there), CKR_TOKEN_NOT_PRESENT for slot and token calls,
// CKR_DEVICE_REMOVED for calls on a session.
enum class Scope : std::uint8_t { Module, Token, Session };
constexpr Scope scope_of(Fn fn) {
  switch (fn) {
    case Fn::Initialize:
    case Fn::Finalize:
    case Fn::GetInfo:
    case Fn::GetFunctionList:
    case Fn::GetSlotList:
    case Fn::GetSlotInfo:
    case Fn::WaitForSlotEvent:
      return Scope::Module;
    case Fn::GetTokenInfo:
    case Fn::GetMechanismList:
    case Fn::GetMechanismInfo:
    case Fn::InitToken:
    case Fn::OpenSession:
    case Fn::CloseAllSessions:
      return Scope::Token;
    default:
      return Scope::Session;
  }
}

class Call {
 public:
  explicit Call(Fn fn);
  ~Call();
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  // CKR_OK to go on to the module, or the answer to give without reaching it.
  CK_RV begin();
  // The answer after the module answered `rv` (with "fail_after_call", the planned failure).
  [[nodiscard]] CK_RV end(CK_RV rv) const;
  [[nodiscard]] unsigned misbehaviour() const { return decision_.misbehaviour; }

 private:
  Fn fn_;
  Decision decision_;
  bool alone_ = false;  // counted in by not_thread_safe: leaves on destruction
};

// Runs `body(real_session)` inside the device gate after translating `session`; the whole
// call is enveloped in a Call. `body` returns the module's CK_RV.
template <typename Body>
CK_RV run_on_session(Fn fn, CK_SESSION_HANDLE session, Body body) {
  Call call(fn);
  if (const CK_RV refused = call.begin(); refused != CKR_OK) return refused;
  CK_RV rv = CKR_SESSION_HANDLE_INVALID;
  {
    const Device::Inside inside;
    if (const auto real_session = handles().real_session(session)) {
      rv = body(*real_session, call);
    }
  }
  return call.end(rv);
}

// Whether a function's arguments end in an output buffer and its length (C_Sign, C_Encrypt,
// C_Digest, ...), the outputs a misbehaving vendor misreports.
template <typename... Args>
constexpr bool kEndsWithOutput = [] {
  if constexpr (sizeof...(Args) < 2) {
    return false;
  } else {
    using Tuple = std::tuple<Args...>;
    return std::is_same_v<std::tuple_element_t<sizeof...(Args) - 2, Tuple>, CK_BYTE_PTR> &&
           std::is_same_v<std::tuple_element_t<sizeof...(Args) - 1, Tuple>, CK_ULONG_PTR>;
  }
}();

template <typename... Args>
OutputBuffer output_of(Args... args) {
  if constexpr (kEndsWithOutput<Args...>) {
    const auto tuple = std::make_tuple(args...);
    return OutputBuffer(std::get<sizeof...(Args) - 2>(tuple), std::get<sizeof...(Args) - 1>(tuple));
  } else {
    return OutputBuffer(nullptr, nullptr);
  }
}

template <Fn F, auto Member>
struct Forward;
template <Fn F, typename... Args, CK_RV (*CK_FUNCTION_LIST::*Member)(Args...)>
struct Forward<F, Member> {
  static CK_RV call(Args... args) {
    if constexpr (scope_of(F) == Scope::Session) {
      return on_session(args...);
    } else {
      Call call(F);
      if (const CK_RV refused = call.begin(); refused != CKR_OK) return refused;
      // It may block until a slot event: a restart must not wait for it.
      if constexpr (F == Fn::WaitForSlotEvent) return call.end((real()->*Member)(args...));
      CK_RV rv = CKR_OK;
      {
        const Device::Inside inside;
        rv = (real()->*Member)(args...);
      }
      return call.end(rv);
    }
  }

 private:
  template <typename... Rest>
  static CK_RV on_session(CK_SESSION_HANDLE session, Rest... rest) {
    OutputBuffer output = output_of(session, rest...);
    return run_on_session(F, session, [&](CK_SESSION_HANDLE real_session, const Call& call) {
      const CK_RV rv = (real()->*Member)(real_session, rest...);
      return output.answer(rv, call.misbehaviour());
    });
  }
};

}  // namespace craton::hsm::fault_shim
