// SPDX-License-Identifier: Apache-2.0
// Calls that name objects: every object handle in (keys, objects) is translated to the real
// module's and refused when stale; every handle out (created, found) is the shim's own.
#include <utility>
#include <vector>

#include "call.h"
#include "counters.h"
#include "entry_points.h"
#include "fingerprint.h"
#include "switches.h"
#include "vendor_answers.h"
#include "vendor_modes.h"

namespace craton::hsm::fault_shim {
namespace {

using Real = std::optional<CK_OBJECT_HANDLE>;

Real object(CK_OBJECT_HANDLE handle) {
  return handles().real_object(handle);
}

// The caller's handle for an object the module just created in `session`; whether it is a
// token object decides whether it outlives the session (asked of the module, which knows
// the template's defaults and a copy's inheritance).
CK_OBJECT_HANDLE created(CK_SESSION_HANDLE real_session, CK_SESSION_HANDLE session,
                         CK_OBJECT_HANDLE real_object) {
  counters().object_created();
  return handles().add_created(real_object, session, token_fingerprint(real_session, real_object));
}

bool hidden(CK_MECHANISM_PTR mechanism) {
  return mechanism != nullptr && mechanism->mechanism == switches().hidden_mechanism;
}

// Whether a template asks for a session object: CKA_TOKEN false, or absent (the default,
// v2.40 §4.4).
bool asks_session_object(const CK_ATTRIBUTE* attributes, CK_ULONG count) {
  for (CK_ULONG i = 0; attributes != nullptr && i < count; ++i) {
    const CK_ATTRIBUTE& a = attributes[i];
    if (a.type != CKA_TOKEN) continue;
    return a.pValue == nullptr || a.ulValueLen != sizeof(CK_BBOOL) ||
           *static_cast<const CK_BBOOL*>(a.pValue) == CK_FALSE;
  }
  return true;
}

// The template a token without session objects works with (switches persist_session_objects
// and reject_session_objects): the caller's, or a copy with CKA_TOKEN true.
class Persisted {
 public:
  Persisted(CK_ATTRIBUTE_PTR attributes, CK_ULONG count) : data_(attributes), count_(count) {
    if (!switches().persist_session_objects || !asks_session_object(attributes, count)) return;
    copy_.assign(attributes, attributes + (attributes != nullptr ? count : 0));
    bool replaced = false;
    for (CK_ATTRIBUTE& a : copy_) {
      if (a.type != CKA_TOKEN) continue;
      a.pValue = &yes_;
      a.ulValueLen = sizeof yes_;
      replaced = true;
    }
    if (!replaced) copy_.push_back({CKA_TOKEN, &yes_, sizeof yes_});
    data_ = copy_.data();
    count_ = static_cast<CK_ULONG>(copy_.size());
  }
  [[nodiscard]] CK_ATTRIBUTE_PTR data() const { return data_; }
  [[nodiscard]] CK_ULONG size() const { return count_; }

 private:
  CK_BBOOL yes_ = CK_TRUE;
  std::vector<CK_ATTRIBUTE> copy_;
  CK_ATTRIBUTE_PTR data_;
  CK_ULONG count_;
};

// reject_session_objects: the answer such a token gives.
bool rejected(const CK_ATTRIBUTE* attributes, CK_ULONG count) {
  return switches().reject_session_objects && asks_session_object(attributes, count);
}

CK_RV create_object(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR attributes, CK_ULONG count,
                    CK_OBJECT_HANDLE_PTR out) {
  return run_on_session(Fn::CreateObject, session, [&](CK_SESSION_HANDLE s, const Call&) {
    if (rejected(attributes, count)) return CKR_ATTRIBUTE_VALUE_INVALID;
    if (const CK_RV refused = refuse_private_key(attributes, count); refused != CKR_OK) {
      return refused;
    }
    const Persisted tmpl(attributes, count);
    const CK_RV rv = real()->C_CreateObject(s, tmpl.data(), tmpl.size(), out);
    if (rv == CKR_OK) *out = created(s, session, *out);
    return rv;
  });
}

CK_RV copy_object(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE source, CK_ATTRIBUTE_PTR attributes,
                  CK_ULONG count, CK_OBJECT_HANDLE_PTR out) {
  return run_on_session(Fn::CopyObject, session, [&](CK_SESSION_HANDLE s, const Call&) {
    const Real from = object(source);
    if (!from) return CKR_OBJECT_HANDLE_INVALID;
    const CK_RV rv = real()->C_CopyObject(s, *from, attributes, count, out);
    if (rv == CKR_OK) *out = created(s, session, *out);
    return rv;
  });
}

CK_RV destroy_object(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE handle) {
  return run_on_session(Fn::DestroyObject, session, [&](CK_SESSION_HANDLE s, const Call&) {
    const Real target = object(handle);
    if (!target) return CKR_OBJECT_HANDLE_INVALID;
    // Read before the object is gone: it may be a token object created here before a restart.
    const auto fingerprint =
        handles().counts_token_objects() ? token_fingerprint(s, *target) : std::nullopt;
    const CK_RV rv = real()->C_DestroyObject(s, *target);
    if (rv == CKR_OK) handles().remove_object(handle, fingerprint);
    return rv;
  });
}

CK_RV get_object_size(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE handle, CK_ULONG_PTR size) {
  return run_on_session(Fn::GetObjectSize, session, [&](CK_SESSION_HANDLE s, const Call&) {
    const Real target = object(handle);
    if (!target) return CKR_OBJECT_HANDLE_INVALID;
    return real()->C_GetObjectSize(s, *target, size);
  });
}

CK_RV get_attribute_value(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE handle,
                          CK_ATTRIBUTE_PTR attributes, CK_ULONG count) {
  return run_on_session(Fn::GetAttributeValue, session, [&](CK_SESSION_HANDLE s, const Call& call) {
    const Real target = object(handle);
    if (!target) return CKR_OBJECT_HANDLE_INVALID;
    return fault_shim::get_attribute_value(s, *target, attributes, count, call.misbehaviour());
  });
}

CK_RV set_attribute_value(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE handle,
                          CK_ATTRIBUTE_PTR attributes, CK_ULONG count) {
  return run_on_session(Fn::SetAttributeValue, session, [&](CK_SESSION_HANDLE s, const Call&) {
    const Real target = object(handle);
    if (!target) return CKR_OBJECT_HANDLE_INVALID;
    return real()->C_SetAttributeValue(s, *target, attributes, count);
  });
}

CK_RV find_objects(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE_PTR found, CK_ULONG max,
                   CK_ULONG_PTR count) {
  return run_on_session(Fn::FindObjects, session, [&](CK_SESSION_HANDLE s, const Call& call) {
    const CK_RV rv = real()->C_FindObjects(s, found, max, count);
    if (rv != CKR_OK || found == nullptr || count == nullptr) return rv;
    for (CK_ULONG i = 0; i < *count && i < max; ++i) found[i] = handles().object_for(found[i]);
    return answer_found_count(rv, max, count, call.misbehaviour());
  });
}

// C_EncryptInit, C_SignInit, ...: (session, mechanism, key).
template <Fn F,
          CK_RV (*CK_FUNCTION_LIST::*Member)(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE)>
CK_RV key_init(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key) {
  return run_on_session(F, session, [&](CK_SESSION_HANDLE s, const Call&) {
    const Real target = object(key);
    if (!target) return CKR_KEY_HANDLE_INVALID;
    if constexpr (F == Fn::EncryptInit) {
      if (const CK_RV refused = token_gcm_iv(mechanism); refused != CKR_OK) return refused;
    }
    return (real()->*Member)(s, mechanism, *target);
  });
}

CK_RV digest_key(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key) {
  return run_on_session(Fn::DigestKey, session, [&](CK_SESSION_HANDLE s, const Call&) {
    const Real target = object(key);
    if (!target) return CKR_KEY_HANDLE_INVALID;
    return real()->C_DigestKey(s, *target);
  });
}

CK_RV generate_key(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism,
                   CK_ATTRIBUTE_PTR attributes, CK_ULONG count, CK_OBJECT_HANDLE_PTR key) {
  return run_on_session(Fn::GenerateKey, session, [&](CK_SESSION_HANDLE s, const Call&) {
    if (hidden(mechanism)) return CKR_MECHANISM_INVALID;
    if (rejected(attributes, count)) return CKR_ATTRIBUTE_VALUE_INVALID;
    if (const CK_RV refused = strict_usage_template(attributes, count); refused != CKR_OK) {
      return refused;
    }
    const WeakenedTemplate weakened(attributes, count);
    const Persisted tmpl(weakened.data(), weakened.size());
    const CK_RV rv = real()->C_GenerateKey(s, mechanism, tmpl.data(), tmpl.size(), key);
    if (rv != CKR_OK) return rv;
    grant_extra_usage(s, *key);
    *key = created(s, session, *key);
    return rv;
  });
}

CK_RV generate_key_pair(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism,
                        CK_ATTRIBUTE_PTR public_template, CK_ULONG public_count,
                        CK_ATTRIBUTE_PTR private_template, CK_ULONG private_count,
                        CK_OBJECT_HANDLE_PTR public_key, CK_OBJECT_HANDLE_PTR private_key) {
  return run_on_session(Fn::GenerateKeyPair, session, [&](CK_SESSION_HANDLE s, const Call&) {
    if (hidden(mechanism)) return CKR_MECHANISM_INVALID;
    if (rejected(public_template, public_count) || rejected(private_template, private_count)) {
      return CKR_ATTRIBUTE_VALUE_INVALID;
    }
    for (const auto& [tmpl, count] :
         {std::pair{public_template, public_count}, std::pair{private_template, private_count}}) {
      if (const CK_RV refused = strict_usage_template(tmpl, count); refused != CKR_OK) {
        return refused;
      }
    }
    const WeakenedTemplate weakened(private_template, private_count);
    const Persisted public_tmpl(public_template, public_count);
    const Persisted private_tmpl(weakened.data(), weakened.size());
    const CK_RV rv = real()->C_GenerateKeyPair(s, mechanism, public_tmpl.data(), public_tmpl.size(),
                                               private_tmpl.data(), private_tmpl.size(), public_key,
                                               private_key);
    if (rv == CKR_OK) {
      grant_extra_usage(s, *private_key);
      *public_key = created(s, session, *public_key);
      *private_key = created(s, session, *private_key);
    }
    return rv;
  });
}

// The wrapping and unwrapping keys have their own codes (v2.40 §5.18).
CK_RV wrap_key(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE wrapping,
               CK_OBJECT_HANDLE key, CK_BYTE_PTR wrapped, CK_ULONG_PTR wrapped_len) {
  const OutputBuffer output(wrapped, wrapped_len);
  return run_on_session(Fn::WrapKey, session, [&](CK_SESSION_HANDLE s, const Call& call) {
    const Real wrapper = object(wrapping);
    if (!wrapper) return CKR_WRAPPING_KEY_HANDLE_INVALID;
    const Real target = object(key);
    if (!target) return CKR_KEY_HANDLE_INVALID;
    return output.answer(real()->C_WrapKey(s, mechanism, *wrapper, *target, wrapped, wrapped_len),
                         call.misbehaviour());
  });
}

CK_RV unwrap_key(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE unwrapping,
                 CK_BYTE_PTR wrapped, CK_ULONG wrapped_len, CK_ATTRIBUTE_PTR attributes,
                 CK_ULONG count, CK_OBJECT_HANDLE_PTR key) {
  return run_on_session(Fn::UnwrapKey, session, [&](CK_SESSION_HANDLE s, const Call&) {
    const Real unwrapper = object(unwrapping);
    if (!unwrapper) return CKR_UNWRAPPING_KEY_HANDLE_INVALID;
    if (rejected(attributes, count)) return CKR_ATTRIBUTE_VALUE_INVALID;
    const Persisted tmpl(attributes, count);
    const CK_RV rv = real()->C_UnwrapKey(s, mechanism, *unwrapper, wrapped, wrapped_len,
                                         tmpl.data(), tmpl.size(), key);
    if (rv == CKR_OK) *key = created(s, session, *key);
    return rv;
  });
}

CK_RV derive_key(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE base,
                 CK_ATTRIBUTE_PTR attributes, CK_ULONG count, CK_OBJECT_HANDLE_PTR key) {
  return run_on_session(Fn::DeriveKey, session, [&](CK_SESSION_HANDLE s, const Call&) {
    const Real base_key = object(base);
    if (!base_key) return CKR_KEY_HANDLE_INVALID;
    if (rejected(attributes, count)) return CKR_ATTRIBUTE_VALUE_INVALID;
    const Persisted tmpl(attributes, count);
    const CK_RV rv = real()->C_DeriveKey(s, mechanism, *base_key, tmpl.data(), tmpl.size(), key);
    if (rv == CKR_OK) *key = created(s, session, *key);
    return rv;
  });
}

// The keys are optional here: CK_INVALID_HANDLE means none (v2.40 §5.6).
CK_RV set_operation_state(CK_SESSION_HANDLE session, CK_BYTE_PTR state, CK_ULONG state_len,
                          CK_OBJECT_HANDLE encryption_key, CK_OBJECT_HANDLE authentication_key) {
  return run_on_session(Fn::SetOperationState, session, [&](CK_SESSION_HANDLE s, const Call&) {
    CK_OBJECT_HANDLE keys[2] = {encryption_key, authentication_key};
    for (CK_OBJECT_HANDLE& key : keys) {
      if (key == CK_INVALID_HANDLE) continue;
      const Real target = object(key);
      if (!target) return CKR_KEY_HANDLE_INVALID;
      key = *target;
    }
    return real()->C_SetOperationState(s, state, state_len, keys[0], keys[1]);
  });
}

}  // namespace

void install_object_calls(CK_FUNCTION_LIST& list) {
  list.C_CreateObject = &create_object;
  list.C_CopyObject = &copy_object;
  list.C_DestroyObject = &destroy_object;
  list.C_GetObjectSize = &get_object_size;
  list.C_GetAttributeValue = &get_attribute_value;
  list.C_SetAttributeValue = &set_attribute_value;
  list.C_FindObjects = &find_objects;
  list.C_EncryptInit = &key_init<Fn::EncryptInit, &CK_FUNCTION_LIST::C_EncryptInit>;
  list.C_DecryptInit = &key_init<Fn::DecryptInit, &CK_FUNCTION_LIST::C_DecryptInit>;
  list.C_SignInit = &key_init<Fn::SignInit, &CK_FUNCTION_LIST::C_SignInit>;
  list.C_SignRecoverInit = &key_init<Fn::SignRecoverInit, &CK_FUNCTION_LIST::C_SignRecoverInit>;
  list.C_VerifyInit = &key_init<Fn::VerifyInit, &CK_FUNCTION_LIST::C_VerifyInit>;
  list.C_VerifyRecoverInit =
      &key_init<Fn::VerifyRecoverInit, &CK_FUNCTION_LIST::C_VerifyRecoverInit>;
  list.C_DigestKey = &digest_key;
  list.C_GenerateKey = &generate_key;
  list.C_GenerateKeyPair = &generate_key_pair;
  list.C_WrapKey = &wrap_key;
  list.C_UnwrapKey = &unwrap_key;
  list.C_DeriveKey = &derive_key;
  list.C_SetOperationState = &set_operation_state;
}

}  // namespace craton::hsm::fault_shim
