// SPDX-License-Identifier: Apache-2.0
// dlopen/dlclose with errors that keep dlerror()'s explanation.
#include "pkcs11/loader/shared_library.h"

#include <dlfcn.h>

#include <craton/hsm/diagnostics.h>

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {

Result<SharedLibrary> SharedLibrary::open(const std::filesystem::path& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    return fail(ErrorCode::LibraryLoad, fmt::format("dlopen '{}' failed: {}", path.string(),
                                                    reason != nullptr ? reason : "unknown"));
  }
  return SharedLibrary(handle);
}

SharedLibrary::~SharedLibrary() {
  if (handle_ != nullptr && dlclose(handle_) != 0) {
    const char* reason = dlerror();
    report_diagnostic(HsmError(ErrorCode::LibraryLoad,
                               fmt::format("dlclose failed: {}", reason != nullptr ? reason : "")));
  }
}

void* SharedLibrary::symbol(const char* name) const noexcept {
  return handle_ != nullptr ? dlsym(handle_, name) : nullptr;
}

}  // namespace craton::hsm::pkcs11
