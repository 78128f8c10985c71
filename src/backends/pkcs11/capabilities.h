// SPDX-License-Identifier: Apache-2.0
// What the token can do correctly: its mechanism list, corrected by its vendor profile
// (src/vendor: modules that advertise a mechanism they implement wrongly or answer outside the
// spec), what it does with session objects (probed once at start), and the capability table
// built from the mechanisms, their C_GetMechanismInfo and the profile (capability_table.h).
#pragma once

#include <craton/hsm/config.h>
#include <craton/hsm/error.h>
#include <craton/hsm/schemes.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "backends/pkcs11/capability_table.h"
#include "pkcs11/loader/module.h"
#include "pkcs11/loader/rv_map.h"
#include "pkcs11/pool/session_pool.h"
#include "vendor/vendor_profile.h"

namespace craton::hsm::pkcs11 {

// What the token does with an object created with CKA_TOKEN false (docs/vendors.md, "Session
// objects"). Kept: a session object, as PKCS#11 says. Rejected: C_CreateObject refuses the
// template (some HSMs have no session objects at all). Persisted: the token accepts it and
// silently stores a permanent object. Unknown: the probe could not finish (a failure that
// says nothing about the template); the backend then behaves as if Kept.
enum class SessionObjects : std::uint8_t { Unknown, Kept, Rejected, Persisted };

[[nodiscard]] std::string_view session_objects_name(SessionObjects value) noexcept;

class Capabilities {
 public:
  // Reads the library's and the token's identity and the token's mechanisms with their info
  // (C_GetInfo, C_GetTokenInfo, C_GetMechanismList, C_GetMechanismInfo), resolves the vendor
  // profile from the identity and `config` (vendor_profile, [vendor_quirks], serialize_calls)
  // and builds the capability table under it. Errors: the mapped failure; ConfigInvalid for an
  // unknown profile or quirk.
  static Result<Capabilities> probe(const Module& module, std::uint64_t slot,
                                    const Pkcs11PassthroughConfig& config);
  // The same from descriptions already read (and the unit tests' fabricated ones): every
  // vendor rule comes from `profile`, none from the names.
  static Capabilities from(TokenFacts names, std::span<const Pkcs11MechanismInfo> mechanisms,
                           vendor::VendorProfile profile);

  // How each scheme is done here: one row per scheme and operation (capability_table.h).
  [[nodiscard]] const CapabilityTable& table() const noexcept { return table_; }
  // The table, the token's names and the session-object finding, as public values.
  [[nodiscard]] TokenCapabilities describe() const;

  [[nodiscard]] bool has(CK_MECHANISM_TYPE mechanism) const noexcept {
    return mechanisms_.contains(mechanism);
  }
  // Whether the token lists `mechanism` with every bit of `flags` (CKF_UNWRAP, ...) in its
  // C_GetMechanismInfo.
  [[nodiscard]] bool has(CK_MECHANISM_TYPE mechanism, CK_FLAGS flags) const noexcept {
    const auto it = flags_.find(mechanism);
    return it != flags_.end() && (it->second & flags) == flags;
  }
  // "SoftHSM", from C_GetInfo: for names only (vendor rules come from the profile).
  [[nodiscard]] const std::string& library_manufacturer() const noexcept { return manufacturer_; }
  // The vendor profile in force (docs/vendors/): every vendor-specific reading comes from it.
  [[nodiscard]] const vendor::VendorProfile& vendor_profile() const noexcept { return profile_; }
  // Where the profile says so (SoftHSM2 2.6: a bad GCM tag, bad CBC padding and a wrapped key
  // failing its check answer CKR_GENERAL_ERROR), that code inside those three operations is a
  // failed integrity check; from any other module it is a device or library failure.
  [[nodiscard]] GeneralErrorReading general_error_reading() const noexcept {
    return profile_.quirks.general_error_is_integrity_failure
               ? GeneralErrorReading::IntegrityFailure
               : GeneralErrorReading::DeviceFailure;
  }

  // Fails with MechanismUnsupported naming `what`, the mechanism and the token when the token
  // lacks `mechanism`.
  [[nodiscard]] Result<void> require(CK_MECHANISM_TYPE mechanism, std::string_view what) const;

  // The throwaway probe: on a session of its own, C_CreateObject of a public CKO_DATA object
  // with CKA_TOKEN false and a random label; CKA_TOKEN read back; the session closed; then,
  // on one of the pool's sessions, a search for the label, and every object found destroyed.
  // A refused template (AttributeInvalid, TemplateInvalid, KeyFunctionNotPermitted,
  // FunctionNotSupported) is Rejected; CKA_TOKEN read back true or the object outliving its
  // session is Persisted. Any other failure leaves Unknown and is reported as a diagnostic,
  // never as a failure of the backend's creation. Call once, before the backend is shared.
  void probe_session_objects(const std::shared_ptr<const Module>& module, std::uint64_t slot,
                             SessionPool& pool);
  // The same with the search on a second plain session (no pool, no login): for describing a
  // token (describe_token_capabilities).
  void probe_session_objects(const std::shared_ptr<const Module>& module, std::uint64_t slot);
  [[nodiscard]] SessionObjects session_objects() const noexcept { return session_objects_; }
  // False only when the probe proved the token keeps no session objects.
  [[nodiscard]] bool keeps_session_objects() const noexcept {
    return session_objects_ != SessionObjects::Rejected &&
           session_objects_ != SessionObjects::Persisted;
  }
  // MechanismUnsupported naming `what`, the probe's finding and `remedy` when the token keeps
  // no session objects; success otherwise.
  [[nodiscard]] Result<void> require_session_objects(
      std::string_view what, std::string_view remedy = "use a resident key") const;

 private:
  // Finds the objects labelled `label`, destroys them and counts them.
  using ProbeSearch = std::function<Result<std::size_t>(const std::string& label)>;
  // `quiet`: a failure is only recorded (describing a token), not reported as a diagnostic.
  void probe_session_objects_with(const std::shared_ptr<const Module>& module, std::uint64_t slot,
                                  const ProbeSearch& search, bool quiet);
  void note_probe_failure(const HsmError& error, bool quiet);

  std::unordered_set<CK_MECHANISM_TYPE> mechanisms_;
  std::unordered_map<CK_MECHANISM_TYPE, CK_FLAGS> flags_;
  CapabilityTable table_;
  std::string manufacturer_;
  vendor::VendorProfile profile_;
  SessionObjects session_objects_ = SessionObjects::Unknown;
  std::string session_objects_reason_;  // what the probe saw, for messages
};

}  // namespace craton::hsm::pkcs11
