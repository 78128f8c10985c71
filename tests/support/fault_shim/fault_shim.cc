// SPDX-License-Identifier: Apache-2.0
// A PKCS#11 module that forwards to the real one named by CRATON_SHIM_TARGET (default
// SoftHSM2) and injects the faults set through fault_shim_control.h. Test-only.
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "fault_shim_control.h"
#include "pkcs11/loader/functions.h"

namespace {

using craton::hsm::pkcs11::Fn;
using craton::hsm::pkcs11::kFnCount;
using craton::hsm::pkcs11::kFnNames;

CK_FUNCTION_LIST_PTR target = nullptr;
CK_FUNCTION_LIST shim_list{};

std::atomic<bool> cant_lock{false};
std::atomic<unsigned long> max_rw_sessions{0};
std::atomic<bool> session_info_unsupported{false};
std::atomic<CK_MECHANISM_TYPE> hidden_mechanism{CK_UNAVAILABLE_INFORMATION};
std::atomic<bool> foreign_manufacturer{false};
std::atomic<bool> bare_ec_point{false};
std::atomic<bool> hide_check_value{false};
std::atomic<bool> fail_after_call{false};
std::atomic<unsigned long> inside{0};
std::atomic<unsigned long> max_inside{0};

std::mutex failures_mutex;
struct PlannedFailure {
  CK_RV rv = CKR_OK;
  unsigned long skip = 0;  // calls that still pass before the failures begin
  unsigned long remaining = 0;
};
PlannedFailure failures[kFnCount];

// Returns the planned failure for `fn`, or CKR_OK to forward.
CK_RV planned_failure(Fn fn) {
  const std::lock_guard lock(failures_mutex);
  PlannedFailure& planned = failures[static_cast<std::size_t>(fn)];
  if (planned.remaining == 0) return CKR_OK;
  if (planned.skip > 0) {
    --planned.skip;
    return CKR_OK;
  }
  --planned.remaining;
  return planned.rv;
}

// Tracks how many calls are inside the real module at once.
struct InsideModule {
  InsideModule() {
    const unsigned long now = inside.fetch_add(1) + 1;
    unsigned long seen = max_inside.load();
    while (now > seen && !max_inside.compare_exchange_weak(seen, now)) {
    }
  }
  ~InsideModule() { inside.fetch_sub(1); }
  InsideModule(const InsideModule&) = delete;
  InsideModule& operator=(const InsideModule&) = delete;
};

template <Fn F, auto Member>
struct Forwarder;
template <Fn F, typename... Args, CK_RV (*CK_FUNCTION_LIST::*Member)(Args...)>
struct Forwarder<F, Member> {
  static CK_RV call(Args... args) {
    const CK_RV planned = planned_failure(F);
    if (planned != CKR_OK && !fail_after_call) return planned;
    const InsideModule guard;
    const CK_RV rv = (target->*Member)(args...);
    return planned != CKR_OK ? planned : rv;
  }
};

CK_RV initialize(CK_VOID_PTR raw_args) {
  const auto* args = static_cast<const CK_C_INITIALIZE_ARGS*>(raw_args);
  if (cant_lock && args != nullptr && (args->flags & CKF_OS_LOCKING_OK) != 0) return CKR_CANT_LOCK;
  if (const CK_RV rv = planned_failure(Fn::Initialize); rv != CKR_OK) return rv;
  return target->C_Initialize(raw_args);
}

CK_RV get_info(CK_INFO_PTR info) {
  const CK_RV rv = Forwarder<Fn::GetInfo, &CK_FUNCTION_LIST::C_GetInfo>::call(info);
  if (rv == CKR_OK && foreign_manufacturer) {
    // Blank-padded, not NUL-terminated (PKCS#11 v2.40 §3.1).
    constexpr std::string_view kName = "Craton Test Vendor";
    std::memset(info->manufacturerID, ' ', sizeof info->manufacturerID);
    std::memcpy(info->manufacturerID, kName.data(), kName.size());
  }
  return rv;
}

CK_RV get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  const CK_RV rv = Forwarder<Fn::GetTokenInfo, &CK_FUNCTION_LIST::C_GetTokenInfo>::call(slot, info);
  if (rv == CKR_OK && max_rw_sessions != 0) {
    info->ulMaxRwSessionCount = max_rw_sessions;
    info->ulMaxSessionCount = max_rw_sessions;
  }
  return rv;
}

CK_RV get_session_info(CK_SESSION_HANDLE session, CK_SESSION_INFO_PTR info) {
  if (session_info_unsupported) return CKR_FUNCTION_NOT_SUPPORTED;
  return Forwarder<Fn::GetSessionInfo, &CK_FUNCTION_LIST::C_GetSessionInfo>::call(session, info);
}

CK_RV get_mechanism_list(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
  const CK_MECHANISM_TYPE hidden = hidden_mechanism;
  if (hidden == CK_UNAVAILABLE_INFORMATION) {
    return Forwarder<Fn::GetMechanismList, &CK_FUNCTION_LIST::C_GetMechanismList>::call(slot, list,
                                                                                        count);
  }
  // Ask for the real list in full, then hand back a copy without the hidden mechanism.
  CK_ULONG real_count = 0;
  CK_RV rv = target->C_GetMechanismList(slot, nullptr, &real_count);
  if (rv != CKR_OK) return rv;
  std::vector<CK_MECHANISM_TYPE> real(real_count);
  rv = target->C_GetMechanismList(slot, real.data(), &real_count);
  if (rv != CKR_OK) return rv;
  real.resize(real_count);
  std::erase(real, hidden);
  if (list == nullptr) {
    *count = real.size();
    return CKR_OK;
  }
  if (*count < real.size()) {
    *count = real.size();
    return CKR_BUFFER_TOO_SMALL;
  }
  std::copy(real.begin(), real.end(), list);
  *count = real.size();
  return CKR_OK;
}

CK_RV get_mechanism_info(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info) {
  if (type == hidden_mechanism) return CKR_MECHANISM_INVALID;
  return Forwarder<Fn::GetMechanismInfo, &CK_FUNCTION_LIST::C_GetMechanismInfo>::call(slot, type,
                                                                                      info);
}

CK_RV generate_key(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism,
                   CK_ATTRIBUTE_PTR attributes, CK_ULONG count, CK_OBJECT_HANDLE_PTR key) {
  if (mechanism != nullptr && mechanism->mechanism == hidden_mechanism) {
    return CKR_MECHANISM_INVALID;
  }
  return Forwarder<Fn::GenerateKey, &CK_FUNCTION_LIST::C_GenerateKey>::call(session, mechanism,
                                                                            attributes, count, key);
}

CK_RV generate_key_pair(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism,
                        CK_ATTRIBUTE_PTR public_template, CK_ULONG public_count,
                        CK_ATTRIBUTE_PTR private_template, CK_ULONG private_count,
                        CK_OBJECT_HANDLE_PTR public_key, CK_OBJECT_HANDLE_PTR private_key) {
  if (mechanism != nullptr && mechanism->mechanism == hidden_mechanism) {
    return CKR_MECHANISM_INVALID;
  }
  return Forwarder<Fn::GenerateKeyPair, &CK_FUNCTION_LIST::C_GenerateKeyPair>::call(
      session, mechanism, public_template, public_count, private_template, private_count,
      public_key, private_key);
}

// The content of the DER OCTET STRING SoftHSM2 stores in CKA_EC_POINT (short or 0x81 length).
std::vector<CK_BYTE> bare_point_of(const std::vector<CK_BYTE>& der) {
  const std::size_t header = der.size() > 1 && der[1] == 0x81 ? 3 : 2;
  if (der.size() < header || der[0] != 0x04) return der;
  return {der.begin() + static_cast<std::ptrdiff_t>(header), der.end()};
}

// One CKA_EC_POINT entry answered with the bare point, by the rules of C_GetAttributeValue
// (v2.40 §5.7): a length query, a copy, or CK_UNAVAILABLE_INFORMATION and an error.
CK_RV answer_bare_ec_point(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                           CK_ATTRIBUTE& entry) {
  CK_ATTRIBUTE query{CKA_EC_POINT, nullptr, 0};
  CK_RV rv = target->C_GetAttributeValue(session, object, &query, 1);
  std::vector<CK_BYTE> der(rv == CKR_OK ? query.ulValueLen : 0);
  if (rv == CKR_OK) {
    query.pValue = der.data();
    rv = target->C_GetAttributeValue(session, object, &query, 1);
  }
  if (rv != CKR_OK) {
    entry.ulValueLen = CK_UNAVAILABLE_INFORMATION;
    return rv;
  }
  der.resize(query.ulValueLen);
  const std::vector<CK_BYTE> bare = bare_point_of(der);
  if (entry.pValue != nullptr && entry.ulValueLen < bare.size()) {
    entry.ulValueLen = CK_UNAVAILABLE_INFORMATION;
    return CKR_BUFFER_TOO_SMALL;
  }
  if (entry.pValue != nullptr) std::memcpy(entry.pValue, bare.data(), bare.size());
  entry.ulValueLen = bare.size();
  return CKR_OK;
}

// The template entries the shim answers itself instead of the real module.
bool answered_by_shim(CK_ATTRIBUTE_TYPE type) {
  return (type == CKA_EC_POINT && bare_ec_point) || (type == CKA_CHECK_VALUE && hide_check_value);
}

CK_RV answer_entry(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE& entry) {
  if (entry.type == CKA_EC_POINT) return answer_bare_ec_point(session, object, entry);
  // A token without the attribute (v2.40 §5.7: unavailable, CKR_ATTRIBUTE_TYPE_INVALID).
  entry.ulValueLen = CK_UNAVAILABLE_INFORMATION;
  return CKR_ATTRIBUTE_TYPE_INVALID;
}

// With "bare_ec_point", CKA_EC_POINT comes back as the bare SEC1 point, as several vendors'
// modules store it; with "hide_check_value", CKA_CHECK_VALUE is unknown, as on tokens older
// than v2.40. Every other attribute of the template is the real module's answer.
CK_RV get_attribute_value(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                          CK_ATTRIBUTE_PTR attributes, CK_ULONG count) {
  if (!bare_ec_point && !hide_check_value) {
    return Forwarder<Fn::GetAttributeValue, &CK_FUNCTION_LIST::C_GetAttributeValue>::call(
        session, object, attributes, count);
  }
  const CK_RV planned = planned_failure(Fn::GetAttributeValue);
  if (planned != CKR_OK && !fail_after_call) return planned;
  const InsideModule guard;
  std::vector<CK_ATTRIBUTE> others;
  std::vector<CK_ULONG> other_index;
  CK_RV shim_rv = CKR_OK;
  for (CK_ULONG i = 0; i < count; ++i) {
    if (!answered_by_shim(attributes[i].type)) {
      others.push_back(attributes[i]);
      other_index.push_back(i);
    } else if (const CK_RV rv = answer_entry(session, object, attributes[i]);
               rv != CKR_OK && shim_rv == CKR_OK) {
      shim_rv = rv;
    }
  }
  CK_RV rv = CKR_OK;
  if (!others.empty()) {
    rv = target->C_GetAttributeValue(session, object, others.data(), others.size());
    for (std::size_t i = 0; i < others.size(); ++i) {
      attributes[other_index[i]].ulValueLen = others[i].ulValueLen;
    }
  }
  if (planned != CKR_OK) return planned;
  return rv != CKR_OK ? rv : shim_rv;
}

CK_RV get_function_list(CK_FUNCTION_LIST_PTR_PTR list);

void plan_failure(std::string_view function, CK_RV rv, unsigned long skip, unsigned long count) {
  const std::lock_guard lock(failures_mutex);
  for (std::size_t i = 0; i < kFnCount; ++i) {
    if (kFnNames[i] == function) failures[i] = {rv, skip, count};
  }
}

// CRATON_FAULT_FAIL="C_CreateObject=0x12;C_Sign=0x30:2": the planned failures of a process the
// test cannot call into (the CLI), as FUNCTION=RV[:COUNT] (numbers in C syntax; COUNT defaults
// to every call). Malformed entries are ignored: the test then sees no fault and fails.
void plan_failures_from_environment() {
  const char* spec = std::getenv("CRATON_FAULT_FAIL");
  if (spec == nullptr) return;
  std::string_view rest(spec);
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find(';'), rest.size());
    const std::string entry(rest.substr(0, end));
    rest.remove_prefix(std::min(end + 1, rest.size()));
    const std::size_t equals = entry.find('=');
    if (equals == std::string::npos) continue;
    char* after = nullptr;
    const unsigned long rv = std::strtoul(entry.c_str() + equals + 1, &after, 0);
    const unsigned long count = *after == ':' ? std::strtoul(after + 1, nullptr, 0) : ~0UL;
    plan_failure(std::string_view(entry).substr(0, equals), rv, 0, count);
  }
}

bool load_target() {
  const char* path = std::getenv("CRATON_SHIM_TARGET");
  void* handle =
      dlopen(path != nullptr ? path : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return false;
  auto* get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(handle, "C_GetFunctionList"));
  if (get == nullptr || get(&target) != CKR_OK) return false;

  shim_list.version = target->version;
#define CRATON_FORWARD(name) \
  shim_list.C_##name = &Forwarder<Fn::name, &CK_FUNCTION_LIST::C_##name>::call;
  CRATON_PKCS11_FUNCTIONS(CRATON_FORWARD)
#undef CRATON_FORWARD
  shim_list.C_Initialize = &initialize;
  shim_list.C_GetInfo = &get_info;
  shim_list.C_GetTokenInfo = &get_token_info;
  shim_list.C_GetAttributeValue = &get_attribute_value;
  shim_list.C_GetSessionInfo = &get_session_info;
  shim_list.C_GetMechanismList = &get_mechanism_list;
  shim_list.C_GetMechanismInfo = &get_mechanism_info;
  shim_list.C_GenerateKey = &generate_key;
  shim_list.C_GenerateKeyPair = &generate_key_pair;
  shim_list.C_GetFunctionList = &get_function_list;
  plan_failures_from_environment();
  return true;
}

CK_RV get_function_list(CK_FUNCTION_LIST_PTR_PTR list) {
  static const bool loaded = load_target();
  if (!loaded) return CKR_GENERAL_ERROR;
  *list = &shim_list;
  return CKR_OK;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  return get_function_list(list);
}

__attribute__((visibility("default"))) void craton_fault_set(const char* name,
                                                             unsigned long value) {
  const std::string key(name);
  if (key == "cant_lock") cant_lock = value != 0;
  if (key == "max_rw_sessions") max_rw_sessions = value;
  if (key == "session_info_unsupported") session_info_unsupported = value != 0;
  if (key == "hide_mechanism") hidden_mechanism = value;
  if (key == "foreign_manufacturer") foreign_manufacturer = value != 0;
  if (key == "bare_ec_point") bare_ec_point = value != 0;
  if (key == "hide_check_value") hide_check_value = value != 0;
  if (key == "fail_after_call") fail_after_call = value != 0;
}

__attribute__((visibility("default"))) void craton_fault_fail(const char* function,
                                                              unsigned long rv,
                                                              unsigned long count) {
  craton_fault_fail_later(function, rv, 0, count);
}

__attribute__((visibility("default"))) void craton_fault_fail_later(const char* function,
                                                                    unsigned long rv,
                                                                    unsigned long skip,
                                                                    unsigned long count) {
  plan_failure(function, rv, skip, count);
}

__attribute__((visibility("default"))) void craton_fault_reset(void) {
  cant_lock = false;
  max_rw_sessions = 0;
  session_info_unsupported = false;
  hidden_mechanism = CK_UNAVAILABLE_INFORMATION;
  foreign_manufacturer = false;
  bare_ec_point = false;
  hide_check_value = false;
  fail_after_call = false;
  max_inside = 0;
  const std::lock_guard lock(failures_mutex);
  for (auto& failure : failures) failure = {};
}

__attribute__((visibility("default"))) unsigned long craton_fault_max_concurrency(void) {
  return max_inside.load();
}

}  // extern "C"
