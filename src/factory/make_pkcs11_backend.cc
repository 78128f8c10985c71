// SPDX-License-Identifier: Apache-2.0
// make_pkcs11_backend: the passthrough backend, wrapped in the audit trail when the config
// has one, with the chain key from a key file or from an HMAC key on the token.
#include <craton/hsm/pkcs11_backend.h>

#include <fmt/format.h>

#include "audited/audited_backend.h"
#include "backends/pkcs11/passthrough_backend.h"

namespace craton::hsm::pkcs11 {

// The chain MAC computed by the token with a resident HMAC key (CKM_SHA256_HMAC): the audit
// key never leaves the HSM. Called from the trail's writer thread through the unaudited
// backend, so MACing a record never produces a record.
class TokenAuditMac final : public AuditMac {
 public:
  TokenAuditMac(Pkcs11Backend& backend, Key key) : backend_(backend), key_(std::move(key)) {}
  Result<std::array<std::uint8_t, 32>> mac(std::span<const std::uint8_t> data) override {
    CRATON_ASSIGN_OR_RETURN(const Bytes tag, backend_.hmac(key_, HashAlg::Sha256, data));
    std::array<std::uint8_t, 32> out{};
    if (tag.size() != out.size()) return fail(ErrorCode::Internal, "HMAC-SHA-256 of wrong size");
    std::copy(tag.begin(), tag.end(), out.begin());
    return out;
  }

 private:
  Pkcs11Backend& backend_;
  Key key_;
};

namespace {

Result<std::unique_ptr<AuditMac>> audit_mac(const AuditConfig& config,
                                            Pkcs11PassthroughBackend& backend) {
  if (config.key_file) return make_key_file_audit_mac(*config.key_file);
  if (!config.key_label) {
    return fail(ErrorCode::ConfigInvalid, "audit: set key_file or key_label for the chain key");
  }
  return make_token_audit_mac(backend, *config.key_label);
}

Result<std::unique_ptr<Pkcs11Backend>> make_audited(Pkcs11PassthroughConfig config) {
  const AuditConfig audit = *config.audit;
  auto relay = std::make_shared<AuditRelay>();
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11PassthroughBackend> backend,
                          Pkcs11PassthroughBackend::create(std::move(config), {}, relay));
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<AuditMac> mac, audit_mac(audit, *backend));
  AuditOrigin origin;
  origin.backend = std::string(backend->name());
  origin.token_label = backend->token().uri.token.value_or("");
  origin.token_serial = backend->token().serial;
  origin.slot = backend->pool().slot();
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<AuditLog> log,
                          AuditLog::open(audit, std::move(mac), std::move(origin)));
  return std::make_unique<AuditedBackend>(std::move(backend), std::move(log), std::move(relay));
}

}  // namespace
}  // namespace craton::hsm::pkcs11

namespace craton::hsm {

Result<std::unique_ptr<AuditMac>> make_token_audit_mac(Pkcs11Backend& backend,
                                                       const std::string& key_label) {
  KeyRef ref;
  ref.label = key_label;
  ref.object_class = ObjectClass::SecretKey;
  Result<Key> key = backend.find_key(ref);
  if (!key) {
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("audit key '{}' on the token: {}", key_label, key.error().to_string()));
  }
  if (key->kind() != KeyKind::Hmac) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("audit key '{}' must be a generic-secret (HMAC) key, not {}", key_label,
                            key->describe()));
  }
  return std::make_unique<pkcs11::TokenAuditMac>(backend, *key);
}

Result<std::unique_ptr<Pkcs11Backend>> make_pkcs11_backend(Pkcs11PassthroughConfig config) {
  if (config.audit) return pkcs11::make_audited(std::move(config));
  CRATON_ASSIGN_OR_RETURN(auto backend,
                          pkcs11::Pkcs11PassthroughBackend::create(std::move(config)));
  return std::unique_ptr<Pkcs11Backend>(std::move(backend));
}

}  // namespace craton::hsm
