// SPDX-License-Identifier: Apache-2.0
// FaultShim: the test's handle on the fault-injection module (tests/support/fault_shim), which
// forwards to SoftHSM2 and misbehaves where told to.
#pragma once

#include <string>
#include <string_view>

#include "fault_shim/fault_shim_control.h"
#include "pkcs11/loader/module.h"

namespace craton::hsm::testing {

inline constexpr std::string_view kFaultShimPath = CRATON_FAULT_SHIM_PATH;

// Loads the shim (sharing the instance a Module loads from the same file) and clears its
// faults on construction and destruction. One at a time per process.
class FaultShim {
 public:
  FaultShim();
  ~FaultShim();
  FaultShim(const FaultShim&) = delete;
  FaultShim& operator=(const FaultShim&) = delete;

  void set(const char* name, unsigned long value) const;
  // The next `count` calls of `function` ("C_Sign") return `rv`, after `skip` calls that pass.
  void fail(const char* function, unsigned long rv, unsigned long count,
            unsigned long skip = 0) const;
  [[nodiscard]] unsigned long max_concurrency() const;

  // Arms the items of a fault spec (docs/fault-shim.md), e.g. "C_Sign:CKR_DEVICE_ERROR:nth=3".
  // Throws std::invalid_argument naming the bad item when the shim refuses the spec.
  void add(const std::string& spec) const;
  // The shim's refusal of `spec` ("" when it was accepted and armed).
  [[nodiscard]] std::string try_add(const std::string& spec) const;
  // The HSM restarts now (every handle stale, login gone, session objects destroyed).
  void restart() const;
  // The token loses the login (between calls, never under one); sessions stay.
  void log_out() const;
  // The device is gone for `ms`, then back as after a restart.
  void vanish(unsigned long ms) const;
  // Clears every fault now (as construction and destruction do) and wakes hung calls.
  void reset() const;
  [[nodiscard]] CratonFaultStats stats() const;
  // Writes the file CRATON_FAULT_STATS names; false when unset or unwritable.
  [[nodiscard]] bool write_stats() const;
  // How often `function` ("C_Sign") was called through the shim since the last reset.
  [[nodiscard]] unsigned long calls(const char* function) const;

  // Options for Module::acquire. The build tree's permissions are not ours to vouch for, so
  // the path check is waived for this test-only module.
  [[nodiscard]] static pkcs11::ModuleOptions module_options();

 private:
  void* handle_;
  void (*set_)(const char*, unsigned long);
  void (*fail_)(const char*, unsigned long, unsigned long, unsigned long);
  void (*reset_)();
  unsigned long (*max_concurrency_)();
  int (*add_)(const char*);
  const char* (*last_error_)();
  void (*restart_)();
  void (*log_out_)();
  void (*vanish_)(unsigned long);
  void (*stats_)(CratonFaultStats*);
  unsigned long (*calls_)(const char*);
  int (*write_stats_)();
};

}  // namespace craton::hsm::testing
