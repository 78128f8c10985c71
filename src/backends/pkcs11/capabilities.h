// SPDX-License-Identifier: Apache-2.0
// What the token can do correctly: its mechanism list, corrected by what we know of vendors
// whose modules advertise a mechanism they implement wrongly or answer outside the spec.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/schemes.h>

#include <string>
#include <unordered_set>

#include "pkcs11/loader/module.h"
#include "pkcs11/loader/rv_map.h"

namespace craton::hsm::pkcs11 {

class Capabilities {
 public:
  // Reads the token's mechanism list and the library's identity. Errors: the mapped failure.
  static Result<Capabilities> probe(const Module& module, std::uint64_t slot);

  [[nodiscard]] bool has(CK_MECHANISM_TYPE mechanism) const noexcept {
    return mechanisms_.contains(mechanism);
  }
  // SoftHSM2 2.6 lists CKM_RSA_PKCS_OAEP but answers CKR_ARGUMENTS_BAD for anything but SHA-1.
  [[nodiscard]] bool oaep_supports(HashAlg hash) const noexcept;
  // RFC 5649 needs CKM_AES_KEY_WRAP_KWP (v3.0): CKM_AES_KEY_WRAP_PAD means RFC 5649 on
  // SoftHSM2 (wrongly for lengths not a multiple of 8) and RFC 3394 over PKCS#7 on NSS.
  [[nodiscard]] bool kwp_supported() const noexcept { return has(kCkmAesKeyWrapKwp); }
  // "SoftHSM", from C_GetInfo: for names and vendor-specific rules.
  [[nodiscard]] const std::string& library_manufacturer() const noexcept { return manufacturer_; }
  // SoftHSM2 2.6 answers a bad GCM tag, bad CBC padding and a wrapped key failing its check
  // with CKR_GENERAL_ERROR; from any other module that code is a device or library failure.
  [[nodiscard]] GeneralErrorReading general_error_reading() const noexcept {
    return general_error_is_integrity_failure_ ? GeneralErrorReading::IntegrityFailure
                                               : GeneralErrorReading::DeviceFailure;
  }

  // Fails with MechanismUnsupported naming `what` when the token lacks `mechanism`.
  [[nodiscard]] Result<void> require(CK_MECHANISM_TYPE mechanism, std::string_view what) const;

 private:
  std::unordered_set<CK_MECHANISM_TYPE> mechanisms_;
  std::string manufacturer_;
  bool oaep_sha1_only_ = false;
  bool general_error_is_integrity_failure_ = false;
};

}  // namespace craton::hsm::pkcs11
