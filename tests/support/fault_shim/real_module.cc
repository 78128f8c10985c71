// SPDX-License-Identifier: Apache-2.0
// Loading the real module the shim forwards to. It stays loaded for the life of the process.
#include "real_module.h"

#include <dlfcn.h>

#include <cstdlib>

namespace craton::hsm::fault_shim {
namespace {

CK_FUNCTION_LIST_PTR target = nullptr;

}  // namespace

bool load_real_module() {
  const char* path = std::getenv("CRATON_SHIM_TARGET");
  void* handle =
      dlopen(path != nullptr ? path : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return false;
  auto* get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(handle, "C_GetFunctionList"));
  return get != nullptr && get(&target) == CKR_OK;
}

CK_FUNCTION_LIST_PTR real() {
  return target;
}

}  // namespace craton::hsm::fault_shim
