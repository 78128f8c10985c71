// SPDX-License-Identifier: Apache-2.0
// Module, slot, token and session-lifecycle calls: where sessions are born and die, and where
// the token describes itself.
#include <algorithm>
#include <vector>

#include "call.h"
#include "counters.h"
#include "entry_points.h"
#include "switches.h"

namespace craton::hsm::fault_shim {
namespace {

// Runs a call that names no session, inside the device gate.
template <typename Body>
CK_RV run(Fn fn, Body body) {
  Call call(fn);
  if (const CK_RV refused = call.begin(); refused != CKR_OK) return refused;
  CK_RV rv = CKR_OK;
  {
    const Device::Inside inside;
    rv = body(call);
  }
  return call.end(rv);
}

CK_RV initialize(CK_VOID_PTR raw_args) {
  const auto* args = static_cast<const CK_C_INITIALIZE_ARGS*>(raw_args);
  if (switches().cant_lock && args != nullptr && (args->flags & CKF_OS_LOCKING_OK) != 0) {
    return CKR_CANT_LOCK;
  }
  Call call(Fn::Initialize);
  if (const CK_RV refused = call.begin(); refused != CKR_OK) return refused;
  CK_RV rv = CKR_OK;
  {
    // Inside the gate, like every call into the module, so that a restart's
    // C_CloseAllSessions never runs while the module initialises or finalises.
    const Device::Inside inside;
    rv = real()->C_Initialize(raw_args);
  }
  return call.end(rv);
}

CK_RV finalize(CK_VOID_PTR reserved) {
  Call call(Fn::Finalize);
  if (const CK_RV refused = call.begin(); refused != CKR_OK) return refused;
  CK_RV rv = CKR_OK;
  {
    const Device::Inside inside;
    rv = real()->C_Finalize(reserved);
    // Every session is gone with the library's state (v2.40 §5.4).
    if (rv == CKR_OK) handles().finalize();
  }
  write_stats_file();
  return call.end(rv);
}

CK_RV get_info(CK_INFO_PTR info) {
  return run(Fn::GetInfo, [&](const Call& call) {
    return answer_info(real()->C_GetInfo(info), info, call.misbehaviour());
  });
}

CK_RV get_slot_info(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info) {
  return run(Fn::GetSlotInfo, [&](const Call& call) {
    return answer_slot_info(real()->C_GetSlotInfo(slot, info), info, call.misbehaviour());
  });
}

CK_RV get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  return run(Fn::GetTokenInfo, [&](const Call& call) {
    return answer_token_info(real()->C_GetTokenInfo(slot, info), info, call.misbehaviour());
  });
}

CK_RV get_session_info(CK_SESSION_HANDLE session, CK_SESSION_INFO_PTR info) {
  if (switches().session_info_unsupported) return CKR_FUNCTION_NOT_SUPPORTED;
  return Forward<Fn::GetSessionInfo, &CK_FUNCTION_LIST::C_GetSessionInfo>::call(session, info);
}

// The real list without the hidden mechanism, by the two-call rules of v2.40 §5.5.
CK_RV list_without(CK_SLOT_ID slot, CK_MECHANISM_TYPE hidden, CK_MECHANISM_TYPE_PTR list,
                   CK_ULONG_PTR count) {
  CK_ULONG real_count = 0;
  CK_RV rv = real()->C_GetMechanismList(slot, nullptr, &real_count);
  if (rv != CKR_OK) return rv;
  std::vector<CK_MECHANISM_TYPE> mechanisms(real_count);
  rv = real()->C_GetMechanismList(slot, mechanisms.data(), &real_count);
  if (rv != CKR_OK) return rv;
  mechanisms.resize(real_count);
  std::erase(mechanisms, hidden);
  if (list == nullptr) {
    *count = mechanisms.size();
    return CKR_OK;
  }
  if (*count < mechanisms.size()) {
    *count = mechanisms.size();
    return CKR_BUFFER_TOO_SMALL;
  }
  std::copy(mechanisms.begin(), mechanisms.end(), list);
  *count = mechanisms.size();
  return CKR_OK;
}

CK_RV get_mechanism_list(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
  return run(Fn::GetMechanismList, [&](const Call&) {
    const CK_MECHANISM_TYPE hidden = switches().hidden_mechanism;
    if (hidden == CK_UNAVAILABLE_INFORMATION) {
      return real()->C_GetMechanismList(slot, list, count);
    }
    return list_without(slot, hidden, list, count);
  });
}

CK_RV get_mechanism_info(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info) {
  return run(Fn::GetMechanismInfo, [&](const Call&) {
    if (type == switches().hidden_mechanism) return CKR_MECHANISM_INVALID;
    const CK_RV rv = real()->C_GetMechanismInfo(slot, type, info);
    if (rv == CKR_OK && info != nullptr && type == switches().unflag_mechanism) {
      info->flags &= ~switches().unflag_bits.load();
    }
    return rv;
  });
}

CK_RV open_session(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR application, CK_NOTIFY notify,
                   CK_SESSION_HANDLE_PTR session) {
  return run(Fn::OpenSession, [&](const Call&) {
    if (session == nullptr) return CKR_ARGUMENTS_BAD;
    // Session exhaustion, as a token with a small session table shows it (v2.40 §5.6).
    if (const unsigned long max = switches().max_sessions;
        max != 0 && handles().live_sessions() >= max) {
      counters().fault();
      return CKR_SESSION_COUNT;
    }
    CK_SESSION_HANDLE real_session = CK_INVALID_HANDLE;
    const CK_RV rv = real()->C_OpenSession(slot, flags, application, notify, &real_session);
    if (rv == CKR_OK) {
      *session = handles().add_session(real_session, slot);
      counters().session_opened();
    }
    return rv;
  });
}

CK_RV close_session(CK_SESSION_HANDLE session) {
  return run_on_session(
      Fn::CloseSession, session, [&](CK_SESSION_HANDLE real_session, const Call&) {
        const CK_RV rv = real()->C_CloseSession(real_session);
        // A session the module no longer knows is gone all the same.
        if (rv == CKR_OK || rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED) {
          handles().remove_session(session);
        }
        return rv;
      });
}

CK_RV close_all_sessions(CK_SLOT_ID slot) {
  return run(Fn::CloseAllSessions, [&](const Call&) {
    const CK_RV rv = real()->C_CloseAllSessions(slot);
    if (rv == CKR_OK) handles().remove_slot_sessions(slot);
    return rv;
  });
}

}  // namespace

void install_session_calls(CK_FUNCTION_LIST& list) {
  list.C_Initialize = &initialize;
  list.C_Finalize = &finalize;
  list.C_GetInfo = &get_info;
  list.C_GetSlotInfo = &get_slot_info;
  list.C_GetTokenInfo = &get_token_info;
  list.C_GetSessionInfo = &get_session_info;
  list.C_GetMechanismList = &get_mechanism_list;
  list.C_GetMechanismInfo = &get_mechanism_info;
  list.C_OpenSession = &open_session;
  list.C_CloseSession = &close_session;
  list.C_CloseAllSessions = &close_all_sessions;
}

}  // namespace craton::hsm::fault_shim
