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

pkcs11::ModuleOptions FaultShim::module_options() {
  return {.library_path = std::string(kFaultShimPath),
          .allow_unprotected_library_path = true,
          .init_reserved = std::nullopt};
}

}  // namespace craton::hsm::testing
