// SPDX-License-Identifier: Apache-2.0
// make_audited_backend: any CryptoBackend wrapped in an audit trail chained under a key file.
#include <craton/hsm/audit.h>

#include "audited/audited_backend.h"

namespace craton::hsm {

Result<std::unique_ptr<CryptoBackend>> make_audited_backend(std::unique_ptr<CryptoBackend> backend,
                                                            const AuditConfig& config) {
  if (!backend) return fail(ErrorCode::InvalidArgument, "audit: no backend to wrap");
  if (config.key_label) {
    return fail(ErrorCode::ConfigInvalid,
                "audit: key_label names a key on a token; this trail needs a key_file (for a "
                "token backend, set the audit config of make_pkcs11_backend)");
  }
  if (!config.key_file) {
    return fail(ErrorCode::ConfigInvalid, "audit: set key_file for the chain key");
  }
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<AuditMac> mac, make_key_file_audit_mac(*config.key_file));
  AuditOrigin origin;
  origin.backend = std::string(backend->name());
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<AuditLog> log,
                          AuditLog::open(config, std::move(mac), origin));
  return std::make_unique<audited::AuditedBackend>(std::move(backend), std::move(log));
}

}  // namespace craton::hsm
