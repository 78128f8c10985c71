// SPDX-License-Identifier: Apache-2.0
// The vendor quirk modes (vendor_modes.h); each is a switch of switches.h.
#include "vendor_modes.h"

#include <algorithm>
#include <atomic>
#include <random>
#include <span>

#include "counters.h"
#include "pkcs11/loader/functions.h"
#include "real_module.h"
#include "switches.h"

namespace craton::hsm::fault_shim {
namespace {

using pkcs11::Fn;

// The list the wrappers forward to: the shim's own entries as they were before wrapping.
CK_FUNCTION_LIST inner_list{};
// The real module was finalised, or its last C_Initialize failed.
std::atomic<bool> module_down{false};

bool answers_blind() {
  return switches().ok_after_finalize.load() && module_down.load(std::memory_order_acquire);
}

template <Fn F, auto Member>
struct Blind;
template <Fn F, typename... Args, CK_RV (*CK_FUNCTION_LIST::*Member)(Args...)>
struct Blind<F, Member> {
  static CK_RV call(Args... args) {
    if (answers_blind()) {
      counters().call(F);
      counters().fault();
      return CKR_OK;
    }
    return (inner_list.*Member)(args...);
  }
};

CK_RV initialize(CK_VOID_PTR args) {
  const CK_RV rv = inner_list.C_Initialize(args);
  if (rv == CKR_OK) {
    module_down.store(false, std::memory_order_release);
  } else if (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    module_down.store(true, std::memory_order_release);
  }
  return rv;
}

CK_RV finalize(CK_VOID_PTR reserved) {
  if (answers_blind()) {
    counters().call(Fn::Finalize);
    counters().fault();
    return CKR_OK;
  }
  const CK_RV rv = inner_list.C_Finalize(reserved);
  if (rv == CKR_OK) module_down.store(true, std::memory_order_release);
  return rv;
}

}  // namespace

void install_vendor_modes(CK_FUNCTION_LIST& list) {
  inner_list = list;
#define CRATON_BLIND(name)                       \
  list.C_##name = inner_list.C_##name == nullptr \
                      ? nullptr                  \
                      : &Blind<Fn::name, &CK_FUNCTION_LIST::C_##name>::call;
  CRATON_PKCS11_FUNCTIONS(CRATON_BLIND)
#undef CRATON_BLIND
  list.C_Initialize = &initialize;
  list.C_Finalize = &finalize;
  list.C_GetFunctionList = inner_list.C_GetFunctionList;
}

CK_RV refuse_private_key(const CK_ATTRIBUTE* attributes, CK_ULONG count) {
  const bool refuse_private = switches().refuse_private_key_create;
  const bool refuse_secret = switches().refuse_secret_key_create;
  if ((!refuse_private && !refuse_secret) || attributes == nullptr) return CKR_OK;
  for (CK_ULONG i = 0; i < count; ++i) {
    const CK_ATTRIBUTE& a = attributes[i];
    if (a.type != CKA_CLASS || a.pValue == nullptr || a.ulValueLen != sizeof(CK_OBJECT_CLASS)) {
      continue;
    }
    const CK_OBJECT_CLASS object_class = *static_cast<const CK_OBJECT_CLASS*>(a.pValue);
    if ((refuse_private && object_class == CKO_PRIVATE_KEY) ||
        (refuse_secret && object_class == CKO_SECRET_KEY)) {
      counters().fault();
      return CKR_TEMPLATE_INCONSISTENT;
    }
  }
  return CKR_OK;
}

CK_RV strict_usage_template(const CK_ATTRIBUTE* attributes, CK_ULONG count) {
  const CK_RV answer = switches().strict_usage_templates;
  if (answer == CKR_OK || attributes == nullptr) return CKR_OK;
  for (CK_ULONG i = 0; i < count; ++i) {
    const CK_ATTRIBUTE& a = attributes[i];
    const bool usage = a.type == CKA_ENCRYPT || a.type == CKA_DECRYPT || a.type == CKA_SIGN ||
                       a.type == CKA_VERIFY || a.type == CKA_WRAP || a.type == CKA_UNWRAP ||
                       a.type == CKA_DERIVE;
    if (usage && a.pValue != nullptr && a.ulValueLen == sizeof(CK_BBOOL) &&
        *static_cast<const CK_BBOOL*>(a.pValue) == CK_FALSE) {
      counters().fault();
      return answer;
    }
  }
  return CKR_OK;
}

WeakenedTemplate::WeakenedTemplate(CK_ATTRIBUTE_PTR attributes, CK_ULONG count)
    : data_(attributes), count_(count) {
  if (!switches().weaken_generated_keys || attributes == nullptr) return;
  copy_.assign(attributes, attributes + count);
  for (CK_ATTRIBUTE& a : copy_) {
    if (a.type == CKA_SENSITIVE) {
      a.pValue = &no_;
      a.ulValueLen = sizeof no_;
    }
  }
  data_ = copy_.data();
}

void grant_extra_usage(CK_SESSION_HANDLE real_session, CK_OBJECT_HANDLE real_key) {
  const CK_ATTRIBUTE_TYPE type = switches().grant_extra_usage;
  if (type == CK_UNAVAILABLE_INFORMATION) return;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE granted{type, &yes, sizeof yes};
  if (real()->C_SetAttributeValue(real_session, real_key, &granted, 1) == CKR_OK) {
    counters().fault();
  }
}

CK_RV token_gcm_iv(CK_MECHANISM_PTR mechanism) {
  if (!switches().gcm_token_iv || mechanism == nullptr || mechanism->mechanism != CKM_AES_GCM ||
      mechanism->pParameter == nullptr || mechanism->ulParameterLen != sizeof(CK_GCM_PARAMS)) {
    return CKR_OK;
  }
  auto* params = static_cast<CK_GCM_PARAMS*>(mechanism->pParameter);
  if (params->pIv == nullptr || params->ulIvLen == 0) return CKR_OK;
  const auto iv = std::span(params->pIv, params->ulIvLen);
  if (std::ranges::any_of(iv, [](CK_BYTE b) { return b != 0; })) {
    counters().fault();
    return CKR_MECHANISM_PARAM_INVALID;
  }
  thread_local std::mt19937 random(std::random_device{}());
  std::ranges::generate(iv, [] { return static_cast<CK_BYTE>(random()); });
  return CKR_OK;
}

}  // namespace craton::hsm::fault_shim
