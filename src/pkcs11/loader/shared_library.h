// SPDX-License-Identifier: Apache-2.0
// SharedLibrary: the move-only owner of one dlopen handle.
#pragma once

#include <craton/hsm/error.h>

#include <filesystem>
#include <string_view>
#include <utility>

namespace craton::hsm::pkcs11 {

// Loads with RTLD_NOW | RTLD_LOCAL: unresolved symbols fail now rather than mid-operation, and
// the vendor's symbols cannot collide with ours or another vendor's. dlclose on destruction.
class SharedLibrary {
 public:
  // Errors: LibraryLoad, carrying dlerror()'s text.
  static Result<SharedLibrary> open(const std::filesystem::path& path);

  SharedLibrary(SharedLibrary&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  SharedLibrary& operator=(SharedLibrary&&) = delete;
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;
  ~SharedLibrary();

  // The address of `symbol`, or nullptr when the library does not export it.
  [[nodiscard]] void* symbol(const char* name) const noexcept;

 private:
  explicit SharedLibrary(void* handle) : handle_(handle) {}
  void* handle_;
};

}  // namespace craton::hsm::pkcs11
