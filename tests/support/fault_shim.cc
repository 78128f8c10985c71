// SPDX-License-Identifier: Apache-2.0
// Reaching the fault shim's control functions.
#include "support/fault_shim.h"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace craton::hsm::testing {
namespace {

template <typename T>
T lookup(void* handle, const char* name) {
  void* symbol = dlsym(handle, name);
  if (symbol == nullptr) throw std::runtime_error(std::string("fault shim lacks ") + name);
  return reinterpret_cast<T>(symbol);
}

}  // namespace

FaultShim::FaultShim() : handle_(dlopen(kFaultShimPath.data(), RTLD_NOW | RTLD_LOCAL)) {
  if (handle_ == nullptr)
    throw std::runtime_error(std::string("cannot load fault shim: ") + dlerror());
  set_ = lookup<decltype(set_)>(handle_, "craton_fault_set");
  fail_ = lookup<decltype(fail_)>(handle_, "craton_fault_fail_later");
  reset_ = lookup<decltype(reset_)>(handle_, "craton_fault_reset");
  max_concurrency_ = lookup<decltype(max_concurrency_)>(handle_, "craton_fault_max_concurrency");
  add_ = lookup<decltype(add_)>(handle_, "craton_fault_add");
  last_error_ = lookup<decltype(last_error_)>(handle_, "craton_fault_last_error");
  restart_ = lookup<decltype(restart_)>(handle_, "craton_fault_restart");
  log_out_ = lookup<decltype(log_out_)>(handle_, "craton_fault_log_out");
  vanish_ = lookup<decltype(vanish_)>(handle_, "craton_fault_vanish");
  stats_ = lookup<decltype(stats_)>(handle_, "craton_fault_stats");
  calls_ = lookup<decltype(calls_)>(handle_, "craton_fault_calls");
  write_stats_ = lookup<decltype(write_stats_)>(handle_, "craton_fault_write_stats");
  reset_();
}

FaultShim::~FaultShim() {
  reset_();
  dlclose(handle_);
}

void FaultShim::set(const char* name, unsigned long value) const {
  set_(name, value);
}

void FaultShim::fail(const char* function, unsigned long rv, unsigned long count,
                     unsigned long skip) const {
  fail_(function, rv, skip, count);
}

unsigned long FaultShim::max_concurrency() const {
  return max_concurrency_();
}

void FaultShim::add(const std::string& spec) const {
  if (std::string refusal = try_add(spec); !refusal.empty()) {
    throw std::invalid_argument(refusal);
  }
}

std::string FaultShim::try_add(const std::string& spec) const {
  return add_(spec.c_str()) == 0 ? std::string() : std::string(last_error_());
}

void FaultShim::restart() const {
  restart_();
}

void FaultShim::log_out() const {
  log_out_();
}

void FaultShim::vanish(unsigned long ms) const {
  vanish_(ms);
}

void FaultShim::reset() const {
  reset_();
}

bool FaultShim::write_stats() const {
  return write_stats_() == 0;
}

CratonFaultStats FaultShim::stats() const {
  CratonFaultStats stats{};
  stats_(&stats);
  return stats;
}

unsigned long FaultShim::calls(const char* function) const {
  return calls_(function);
}

pkcs11::ModuleOptions FaultShim::module_options() {
  return {.library_path = std::string(kFaultShimPath),
          .allow_unprotected_library_path = true,
          .init_reserved = std::nullopt};
}

}  // namespace craton::hsm::testing
