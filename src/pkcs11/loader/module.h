// SPDX-License-Identifier: Apache-2.0
// Module: one loaded, initialised vendor PKCS#11 library, shared by everything in the process
// that names the same file.
#pragma once

#include <craton/hsm/error.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "pkcs11/loader/cryptoki.h"
#include "pkcs11/loader/functions.h"
#include "pkcs11/loader/rv_map.h"
#include "pkcs11/loader/shared_library.h"

namespace craton::hsm::pkcs11 {

// What a vendor allocates inside its C_* call and never frees is the vendor's leak, not ours
// (SoftHSM2 2.6 leaks an ASN.1 object in C_SignInit with Ed25519 token keys): under ASan,
// invoke() tells LeakSanitizer so. A suppression would have to be matched through libcrypto's
// frames, which only the slow malloc unwinder sees (it made the asan suite twice as slow).
#if defined(__SANITIZE_ADDRESS__)
using VendorAllocations = __lsan::ScopedDisabler;
#else
struct VendorAllocations {};
#endif

struct ModuleOptions {
  std::filesystem::path library_path;
  bool allow_unprotected_library_path = false;
  // Handed to C_Initialize as CK_C_INITIALIZE_ARGS.pReserved (NSS softokn reads its database
  // location from there). Only the first acquirer of a library decides it.
  std::optional<std::string> init_reserved;
  // Serialise every call into the module (one mutex), for modules that are not thread-safe.
  // CKR_CANT_LOCK from C_Initialize turns it on regardless. Only the first acquirer decides.
  bool serialize_calls = false;
};

// Every C_* call in the project goes through invoke()/call(), which count calls per function
// (tests read the counts) and serialise calls when the module cannot lock for itself.
//
// Lifetime: acquire() returns the process-wide instance for the library's resolved path; the
// first acquirer loads and C_Initializes it, the last owner's release C_Finalizes it (only if
// we initialised it) and dlcloses it. Sessions hold a shared_ptr so this cannot happen under
// them. Thread-safety: all members are safe to call concurrently; acquire() from several
// threads at once yields one C_Initialize.
class Module {
 public:
  // Errors: ConfigInvalid, LibraryLoad, LibraryPathUnprotected, NotAPkcs11Module, and the
  // mapped C_Initialize failure.
  static Result<std::shared_ptr<const Module>> acquire(const ModuleOptions& options);

  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  ~Module();

  // Runs C_<F> and returns its raw CK_RV. A null entry in the function list (allowed for
  // functions a module does not implement) reads as CKR_FUNCTION_NOT_SUPPORTED.
  template <Fn F, typename... Args>
  CK_RV invoke(Args... args) const noexcept {
    call_counts_[static_cast<std::size_t>(F)].fetch_add(1, std::memory_order_relaxed);
    [[maybe_unused]] const VendorAllocations vendor_allocations;
    const auto function = functions_->*kMember<F>;
    if (function == nullptr) return CKR_FUNCTION_NOT_SUPPORTED;
    // We finalised the module and could not initialise it again: whatever it would answer
    // (NSS softokn answers CKR_OK to everything, doing nothing) is not to be believed.
    if constexpr (F != Fn::Initialize && F != Fn::Finalize) {
      if (finalized_.load(std::memory_order_acquire)) return CKR_CRYPTOKI_NOT_INITIALIZED;
    }
    if (serialize_calls_.load(std::memory_order_acquire)) {
      const std::lock_guard lock(call_mutex_);
      return function(args...);
    }
    return function(args...);
  }

  // invoke(), with any CK_RV other than CKR_OK mapped to an HsmError.
  template <Fn F, typename... Args>
  Result<void> call(Args... args) const {
    const CK_RV rv = invoke<F>(args...);
    if (rv == CKR_OK) return {};
    return std::unexpected(error_from_rv(rv, F));
  }

  // How often C_<fn> was invoked through this module since it was loaded.
  [[nodiscard]] std::uint64_t call_count(Fn fn) const noexcept {
    return call_counts_[static_cast<std::size_t>(fn)].load(std::memory_order_relaxed);
  }

  // Brings back a module that lost its state (it answers CKR_CRYPTOKI_NOT_INITIALIZED, or a
  // network HSM's client dropped its link): C_Finalize, then C_Initialize with the arguments
  // of the first initialisation. When C_Initialize fails the module stays finalized() (no call
  // reaches it) and a later reinitialize() tries C_Initialize again. Every session of the module is
  // gone afterwards. The caller must have no call of its own in flight on the module (C_Finalize
  // during other calls is undefined, PKCS#11 v2.40 §5.4). Single-flight: a caller whose `seen`
  // generation is already past returns at once, another thread did the work. Errors:
  // CryptokiNotInitialized when the module was initialised by someone else in the process (theirs
  // to bring back); the mapped C_Initialize failure.
  Result<void> reinitialize(std::uint64_t seen) const;
  // Moves on each successful reinitialize(): sessions opened under an older one are gone.
  [[nodiscard]] std::uint64_t generation() const noexcept {
    return generation_.load(std::memory_order_acquire);
  }

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  // False when the module was already initialised by someone else in the process: we then
  // never C_Finalize it.
  [[nodiscard]] bool initialized_by_us() const noexcept { return initialized_by_us_; }
  // True when we serialise every call ourselves: asked for, or the module answered CKR_CANT_LOCK.
  [[nodiscard]] bool serializes_calls() const noexcept {
    return serialize_calls_.load(std::memory_order_acquire);
  }
  // From now on, one call at a time (a vendor profile found, after C_Initialize, that the module
  // is not thread-safe). Call before the module's sessions are shared between threads: a call
  // already inside the module when this runs is not waited for.
  void serialize_calls_from_now() const noexcept {
    serialize_calls_.store(true, std::memory_order_release);
  }
  // True after reinitialize() finalised the module and failed to initialise it again: every
  // call but C_Initialize/C_Finalize then answers CKR_CRYPTOKI_NOT_INITIALIZED without reaching
  // the module, whatever the module itself would say, until a reinitialize() succeeds.
  [[nodiscard]] bool finalized() const noexcept {
    return finalized_.load(std::memory_order_acquire);
  }
  // The interface version from the function list (2.40 for most modules today).
  [[nodiscard]] CK_VERSION interface_version() const noexcept { return functions_->version; }

 private:
  Module(SharedLibrary library, CK_FUNCTION_LIST_PTR functions, std::filesystem::path path);
  static Result<std::unique_ptr<Module>> load(const ModuleOptions& options,
                                              const std::filesystem::path& resolved);
  Result<void> initialize(const ModuleOptions& options);
  // C_Initialize with OS locking unless the module refused it before; pReserved as configured.
  [[nodiscard]] CK_RV initialize_call(bool os_locking) const noexcept;

  SharedLibrary library_;
  CK_FUNCTION_LIST_PTR functions_;
  std::filesystem::path path_;
  bool initialized_by_us_ = false;
  bool os_locking_ = true;  // false once the module answered CKR_CANT_LOCK
  mutable std::atomic<bool> serialize_calls_{false};
  mutable std::atomic<bool> finalized_{false};
  std::optional<std::string> init_reserved_;
  mutable std::mutex reinit_mutex_;
  mutable std::atomic<std::uint64_t> generation_{0};
  mutable std::mutex call_mutex_;
  mutable std::array<std::atomic<std::uint64_t>, kFnCount> call_counts_{};
};

}  // namespace craton::hsm::pkcs11
