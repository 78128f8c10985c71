// SPDX-License-Identifier: Apache-2.0
// Loading, initialising and finalising one vendor library.
#include "pkcs11/loader/module.h"

#include <craton/hsm/diagnostics.h>

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {

Module::Module(SharedLibrary library, CK_FUNCTION_LIST_PTR functions, std::filesystem::path path)
    : library_(std::move(library)), functions_(functions), path_(std::move(path)) {}

Result<std::unique_ptr<Module>> Module::load(const ModuleOptions& options,
                                             const std::filesystem::path& resolved) {
  CRATON_ASSIGN_OR_RETURN(SharedLibrary library, SharedLibrary::open(resolved));

  // Every module, v2.x or v3.x, exports C_GetFunctionList; a library without it is not one.
  auto* get_function_list =
      reinterpret_cast<CK_C_GetFunctionList>(library.symbol("C_GetFunctionList"));
  if (get_function_list == nullptr) {
    return fail(ErrorCode::NotAPkcs11Module,
                fmt::format("'{}' does not export C_GetFunctionList; it is not a PKCS#11 module",
                            resolved.string()));
  }
  CK_FUNCTION_LIST_PTR functions = nullptr;
  const CK_RV rv = get_function_list(&functions);
  if (rv != CKR_OK || functions == nullptr) {
    return fail(ErrorCode::NotAPkcs11Module,
                fmt::format("C_GetFunctionList of '{}' failed (rv 0x{:x})", resolved.string(), rv));
  }
  if (functions->version.major < 2 || functions->version.major > 3 ||
      functions->C_Initialize == nullptr) {
    return fail(ErrorCode::NotAPkcs11Module,
                fmt::format("'{}' reports unsupported Cryptoki interface {}.{}", resolved.string(),
                            functions->version.major, functions->version.minor));
  }

  std::unique_ptr<Module> module(new Module(std::move(library), functions, resolved));
  CRATON_RETURN_IF_ERROR(module->initialize(options));
  return module;
}

CK_RV Module::initialize_call(bool os_locking) const noexcept {
  CK_C_INITIALIZE_ARGS args{};
  args.flags = os_locking ? CKF_OS_LOCKING_OK : 0;
  // The module only reads pReserved; the C header just lacks the const.
  args.pReserved = init_reserved_ ? const_cast<char*>(init_reserved_->c_str()) : nullptr;
  return invoke<Fn::Initialize>(static_cast<CK_VOID_PTR>(&args));
}

Result<void> Module::initialize(const ModuleOptions& options) {
  init_reserved_ = options.init_reserved;
  serialize_calls_.store(options.serialize_calls, std::memory_order_release);
  CK_RV rv = initialize_call(true);
  if (rv == CKR_CANT_LOCK) {
    // The module cannot use OS locks: promise it one thread at a time, and keep the promise.
    rv = initialize_call(false);
    os_locking_ = false;
    serialize_calls_.store(true, std::memory_order_release);
  }
  if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    // Someone else in this process initialised it: use it, and leave finalising to them.
    return {};
  }
  if (rv != CKR_OK) {
    return std::unexpected(error_from_rv(rv, Fn::Initialize, path_.string()));
  }
  initialized_by_us_ = true;
  return {};
}

Result<void> Module::reinitialize(std::uint64_t seen) const {
  const std::lock_guard lock(reinit_mutex_);
  if (generation_.load(std::memory_order_relaxed) != seen) return {};
  if (!initialized_by_us_) {
    return fail(ErrorCode::CryptokiNotInitialized,
                fmt::format("'{}' was initialised by someone else in this process; it is theirs "
                            "to bring back",
                            path_.string()));
  }
  // CKR_CRYPTOKI_NOT_INITIALIZED here is the module telling us it already lost its state. A
  // module we already finalised (an earlier attempt's C_Initialize failed) is not finalised twice.
  if (!finalized_.load(std::memory_order_acquire)) {
    const CK_RV rv = invoke<Fn::Finalize>(static_cast<CK_VOID_PTR>(nullptr));
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_NOT_INITIALIZED) {
      report_diagnostic(error_from_rv(rv, Fn::Finalize, path_.string()));
    }
    // From here on the module's answers mean nothing until C_Initialize succeeds: some modules
    // (NSS softokn) answer CKR_OK to calls on a finalised library without doing anything.
    finalized_.store(true, std::memory_order_release);
  }
  const CK_RV rv = initialize_call(os_locking_);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    return std::unexpected(error_from_rv(rv, Fn::Initialize, path_.string()));
  }
  finalized_.store(false, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return {};
}

Module::~Module() {
  // Not ours, or already finalised by a reinitialize() whose C_Initialize failed.
  if (!initialized_by_us_ || finalized_.load(std::memory_order_acquire)) return;
  const CK_RV rv = invoke<Fn::Finalize>(static_cast<CK_VOID_PTR>(nullptr));
  if (rv != CKR_OK) report_diagnostic(error_from_rv(rv, Fn::Finalize, path_.string()));
}

}  // namespace craton::hsm::pkcs11
