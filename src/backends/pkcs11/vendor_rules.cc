// SPDX-License-Identifier: Apache-2.0
// The vendor profile's effects on the module, the pool, and the operations it refuses.
#include "backends/pkcs11/vendor_rules.h"

#include <craton/hsm/diagnostics.h>

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {
void apply_vendor_profile(const vendor::VendorProfile& profile, const Module& module,
                          PoolOptions& pool) {
  if (profile.quirks.serialize_calls) module.serialize_calls_from_now();
  pool.trust_reported_session_limit = !profile.quirks.untrusted_session_limits;
  // One session of the token's stays free for the backend's own short-lived ones (the
  // start-up probe opens one while the pool holds all of its own).
  const std::size_t limit = profile.quirks.max_sessions;
  pool.vendor_max_sessions = limit > 1 ? limit - 1 : limit;
  if (pool.vendor_max_sessions != 0 && pool.pool_size > pool.vendor_max_sessions) {
    report_diagnostic(HsmError(
        ErrorCode::SessionCount,
        fmt::format("pool_size {} is more than the {} sessions the token has (vendor profile {}) "
                    "less one for short-lived sessions: the pool holds {}",
                    pool.pool_size, limit, vendor::describe(profile), pool.vendor_max_sessions)));
  }
}

Result<void> require_caller_gcm_iv(const vendor::VendorProfile& profile) {
  if (!profile.quirks.gcm_token_generates_iv) return {};
  return fail(ErrorCode::MechanismUnsupported,
              fmt::format("AES-GCM encryption: the token chooses the IV itself and refuses the "
                          "caller's (vendor profile {}), so the IV could not be drawn and counted "
                          "here",
                          vendor::describe(profile)));
}

}  // namespace craton::hsm::pkcs11
