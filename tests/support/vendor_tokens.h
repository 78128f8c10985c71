// SPDX-License-Identifier: Apache-2.0
// Throwaway tokens of the three software PKCS#11 modules Debian ships (docs/conformance.md):
// SoftHSM2 (a fresh token in this binary's SoftHSM world), NSS softokn (a database in a temp
// directory, slot 2) and openCryptoki's soft token (slot 3 of the machine's one pkcsslotd,
// restarted factory-fresh and stopped again). Each is provisioned through PKCS#11 alone with a
// random user PIN within the token's PIN length limits.
#pragma once

#include <craton/hsm/config.h>
#include <craton/hsm/error.h>
#include <craton/hsm/secret.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pkcs11/loader/module.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {

// SoftHsm2Unwrap: SoftHSM2 with import_method = "unwrap", so every secret and private key goes
// in by C_UnwrapKey under a token-generated transport key (docs/import-by-unwrap.md).
enum class Vendor : std::uint8_t { SoftHsm2, NssSoftokn, OpenCryptoki, SoftHsm2Unwrap };

// "SoftHSM2", "NSS_softokn", "openCryptoki", "SoftHSM2_unwrap" (usable in test names).
[[nodiscard]] std::string_view vendor_name(Vendor vendor);

inline constexpr std::string_view kNssModulePath = "/usr/lib/x86_64-linux-gnu/libsoftokn3.so";
inline constexpr std::string_view kOpenCryptokiModulePath =
    "/usr/lib/x86_64-linux-gnu/opencryptoki/libopencryptoki.so.0";

// Why `vendor` cannot be provisioned on this machine (module or tools not installed, not
// root), or nullopt when it can. scripts/install-deps.sh installs everything, so CI never skips.
[[nodiscard]] std::optional<std::string> vendor_unavailable(Vendor vendor);

// One provisioned token, torn down (daemon stopped, files removed) by the destructor.
class VendorToken {
 public:
  // Errors: whatever provisioning hit (a tool failing is Internal, with its output).
  static Result<std::unique_ptr<VendorToken>> provision(Vendor vendor);
  ~VendorToken();
  VendorToken(const VendorToken&) = delete;
  VendorToken& operator=(const VendorToken&) = delete;

  [[nodiscard]] Vendor vendor() const { return vendor_; }
  // A backend config selecting this token, with the user PIN and, for NSS, its C_Initialize
  // string in init_reserved: this object holds no NSS module between its own calls, so a
  // backend made from config() initialises the module itself, from the config alone.
  [[nodiscard]] Pkcs11PassthroughConfig config() const;
  [[nodiscard]] CK_SLOT_ID slot() const { return slot_; }

  // Every object a logged-in user session sees (token and session objects of all sessions).
  [[nodiscard]] Result<std::size_t> count_objects() const;
  // C_GetTokenInfo's ulSessionCount; nullopt when the token does not report it.
  [[nodiscard]] Result<std::optional<std::uint64_t>> session_count() const;

 private:
  explicit VendorToken(Vendor vendor) : vendor_(vendor) {}
  Result<void> provision_softhsm();
  Result<void> provision_nss();
  Result<void> provision_opencryptoki();
  // The module for this object's own calls: the one it holds (SoftHSM2, openCryptoki), or for
  // NSS the process's instance, acquired for the call (a backend's, when one is alive).
  [[nodiscard]] Result<std::shared_ptr<const pkcs11::Module>> module_for_call() const;

  Vendor vendor_;
  std::shared_ptr<const pkcs11::Module> module_;  // null for NSS after provisioning
  std::optional<std::string> init_reserved_;      // NSS: configdir=... in the temp directory
  CK_SLOT_ID slot_ = 0;
  std::string label_;
  SecretString pin_;
  std::unique_ptr<TempDir> dir_;  // NSS: the database directory
  int lock_fd_ = -1;              // openCryptoki: the machine-wide flock, held until teardown
  bool owns_swtok_ = false;       // openCryptoki: the soft token is ours to stop and empty
};

}  // namespace craton::hsm::testing
