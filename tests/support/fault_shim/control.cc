// SPDX-License-Identifier: Apache-2.0
// The C control API of fault_shim_control.h, over the plan, switches, device and counters.
#include <mutex>
#include <string>
#include <string_view>

#include "counters.h"
#include "device.h"
#include "fault_plan.h"
#include "fault_shim_control.h"
#include "spec.h"
#include "switches.h"

namespace {

namespace shim = craton::hsm::fault_shim;

std::mutex error_mutex;
std::string last_error;

std::size_t function_index(std::string_view name) {
  for (std::size_t i = 0; i < craton::hsm::pkcs11::kFnCount; ++i) {
    if (craton::hsm::pkcs11::kFnNames[i] == name) return i;
  }
  return craton::hsm::pkcs11::kFnCount;
}

}  // namespace

#define CRATON_EXPORT __attribute__((visibility("default")))

extern "C" {

CRATON_EXPORT void craton_fault_set(const char* name, unsigned long value) {
  shim::set_switch(name, value);
}

CRATON_EXPORT void craton_fault_fail(const char* function, unsigned long rv, unsigned long count) {
  craton_fault_fail_later(function, rv, 0, count);
}

CRATON_EXPORT void craton_fault_fail_later(const char* function, unsigned long rv,
                                           unsigned long skip, unsigned long count) {
  const std::size_t index = function_index(function);
  if (index < craton::hsm::pkcs11::kFnCount) shim::plan().script(index, rv, skip, count);
}

CRATON_EXPORT int craton_fault_add(const char* spec) {
  auto parsed = shim::parse_spec(spec != nullptr ? spec : "");
  if (!parsed) {
    const std::lock_guard lock(error_mutex);
    last_error = parsed.error();
    return -1;
  }
  shim::apply(*parsed);
  return 0;
}

CRATON_EXPORT const char* craton_fault_last_error(void) {
  const std::lock_guard lock(error_mutex);
  return last_error.c_str();
}

CRATON_EXPORT void craton_fault_restart(void) {
  shim::device().restart();
}

CRATON_EXPORT void craton_fault_log_out(void) {
  shim::device().log_out();
}

CRATON_EXPORT void craton_fault_vanish(unsigned long ms) {
  shim::device().vanish(ms);
}

CRATON_EXPORT void craton_fault_reset(void) {
  shim::plan().clear();
  shim::reset_switches();
  shim::device().reset();
  shim::counters().reset();
}

CRATON_EXPORT unsigned long craton_fault_max_concurrency(void) {
  return shim::counters().max_concurrency();
}

CRATON_EXPORT void craton_fault_stats(struct CratonFaultStats* stats) {
  if (stats != nullptr) *stats = shim::counters().snapshot();
}

CRATON_EXPORT unsigned long craton_fault_calls(const char* function) {
  const std::size_t index = function_index(function != nullptr ? function : "");
  if (index == craton::hsm::pkcs11::kFnCount) return 0;
  return shim::counters().calls(static_cast<craton::hsm::pkcs11::Fn>(index));
}

CRATON_EXPORT int craton_fault_write_stats(void) {
  return shim::write_stats_file() ? 0 : -1;
}

}  // extern "C"
