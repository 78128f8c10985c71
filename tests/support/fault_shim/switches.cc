// SPDX-License-Identifier: Apache-2.0
// Setting the shim's switches by name.
#include "switches.h"

#include <algorithm>
#include <iterator>

#include "device.h"
#include "fault_plan.h"

namespace craton::hsm::fault_shim {

namespace {

constexpr std::string_view kNames[] = {"cant_lock",
                                       "max_rw_sessions",
                                       "session_info_unsupported",
                                       "hide_mechanism",
                                       "unflag_mechanism",
                                       "unflag_bits",
                                       "foreign_manufacturer",
                                       "bare_ec_point",
                                       "hide_check_value",
                                       "fail_after_call",
                                       "max_sessions",
                                       "reject_session_objects",
                                       "persist_session_objects",
                                       "not_thread_safe",
                                       "ok_after_finalize",
                                       "gcm_token_iv",
                                       "refuse_private_key_create",
                                       "refuse_secret_key_create",
                                       "strict_usage_templates",
                                       "grant_extra_usage",
                                       "weaken_generated_keys",
                                       "seed",
                                       "restart_every_ms"};

}  // namespace

bool is_switch(std::string_view name) {
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

Switches& switches() {
  static Switches instance;
  return instance;
}

bool set_switch(std::string_view name, unsigned long value) {
  Switches& s = switches();
  if (name == "cant_lock") {
    s.cant_lock = value != 0;
  } else if (name == "max_rw_sessions") {
    s.max_rw_sessions = value;
  } else if (name == "session_info_unsupported") {
    s.session_info_unsupported = value != 0;
  } else if (name == "hide_mechanism") {
    s.hidden_mechanism = value;
  } else if (name == "unflag_mechanism") {
    s.unflag_mechanism = value;
  } else if (name == "unflag_bits") {
    s.unflag_bits = value;
  } else if (name == "foreign_manufacturer") {
    s.foreign_manufacturer = value != 0;
  } else if (name == "bare_ec_point") {
    s.bare_ec_point = value != 0;
  } else if (name == "hide_check_value") {
    s.hide_check_value = value != 0;
  } else if (name == "fail_after_call") {
    s.fail_after_call = value != 0;
  } else if (name == "max_sessions") {
    s.max_sessions = value;
  } else if (name == "reject_session_objects") {
    s.reject_session_objects = value != 0;
  } else if (name == "persist_session_objects") {
    s.persist_session_objects = value != 0;
  } else if (name == "not_thread_safe") {
    s.not_thread_safe = value != 0;
  } else if (name == "ok_after_finalize") {
    s.ok_after_finalize = value != 0;
  } else if (name == "gcm_token_iv") {
    s.gcm_token_iv = value != 0;
  } else if (name == "refuse_private_key_create") {
    s.refuse_private_key_create = value != 0;
  } else if (name == "refuse_secret_key_create") {
    s.refuse_secret_key_create = value != 0;
  } else if (name == "strict_usage_templates") {
    s.strict_usage_templates = value;
  } else if (name == "grant_extra_usage") {
    s.grant_extra_usage = value;
  } else if (name == "weaken_generated_keys") {
    s.weaken_generated_keys = value != 0;
  } else if (name == "seed") {
    plan().seed(value);
  } else if (name == "restart_every_ms") {
    device().restart_every(value);
  } else {
    return false;
  }
  return true;
}

void reset_switches() {
  Switches& s = switches();
  s.cant_lock = false;
  s.max_rw_sessions = 0;
  s.session_info_unsupported = false;
  s.hidden_mechanism = CK_UNAVAILABLE_INFORMATION;
  s.unflag_mechanism = CK_UNAVAILABLE_INFORMATION;
  s.unflag_bits = 0;
  s.foreign_manufacturer = false;
  s.bare_ec_point = false;
  s.hide_check_value = false;
  s.fail_after_call = false;
  s.max_sessions = 0;
  s.reject_session_objects = false;
  s.persist_session_objects = false;
  s.not_thread_safe = false;
  s.ok_after_finalize = false;
  s.gcm_token_iv = false;
  s.refuse_private_key_create = false;
  s.refuse_secret_key_create = false;
  s.strict_usage_templates = CKR_OK;
  s.grant_extra_usage = CK_UNAVAILABLE_INFORMATION;
  s.weaken_generated_keys = false;
}

}  // namespace craton::hsm::fault_shim
