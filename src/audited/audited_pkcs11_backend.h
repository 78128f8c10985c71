// SPDX-License-Identifier: Apache-2.0
// AuditedPkcs11Backend: a Pkcs11Backend (a token with resident keys) with every operation,
// key management included, recorded in the audit trail.
#pragma once

#include <craton/hsm/pkcs11_backend.h>

#include "audited/audited_backend.h"

namespace craton::hsm::audited {

// The CryptoBackend operations as AuditedBackend records them, plus the resident-key ones.
// Operations that change the token (generate_resident_key, import_resident_key, destroy_key)
// are write-ahead (Recorder::write_ahead): an intent record is on disk before the token is
// called, and the outcome record names it. A refused intent means the token is not touched; a
// refused outcome fails the call with AuditUnavailable although the token did change, and the
// trail then shows an intent without an outcome (verify_audit_trail lists it).
// Thread-safety: as the wrapped backend.
class AuditedPkcs11Backend final : public AuditedOperations<Pkcs11Backend> {
 public:
  // The wrapped backend's own administrative events (logins, pool rebuilds, key imports) reach
  // the trail through `relay`; `key_identity` names material keys as those events do.
  AuditedPkcs11Backend(std::unique_ptr<Pkcs11Backend> inner, std::shared_ptr<AuditLog> log,
                       std::shared_ptr<AuditRelay> relay, KeyIdentity key_identity)
      : AuditedOperations(std::move(inner), std::move(log), std::move(relay),
                          std::move(key_identity)) {}

  Result<Key> generate_resident_key(const ResidentKeySpec& spec) override;
  Result<Key> import_resident_key(const Key& material, const ResidentKeySpec& spec) override;
  Result<Key> find_key(const KeyRef& ref) override;
  Result<std::vector<ResidentKeyInfo>> list_keys() override;
  Result<std::vector<TokenObjectInfo>> list_objects(const ObjectQuery& query) override;
  Result<TokenObjectInfo> import_certificate(std::span<const std::uint8_t> der,
                                             const CertificateSpec& spec) override;
  Result<std::vector<std::uint8_t>> export_certificate(const KeyRef& ref) override;
  Result<std::vector<std::uint8_t>> export_public_key(const KeyRef& ref) override;
  Result<void> destroy_key(const KeyRef& ref) override;
  [[nodiscard]] std::string token_uri() const override { return inner_->token_uri(); }
  [[nodiscard]] TokenCapabilities capabilities() const override { return inner_->capabilities(); }
  [[nodiscard]] Result<Pkcs11Uri> describe_location() const override {
    return inner_->describe_location();
  }
  // Not recorded itself: the login it may make is, as the wrapped backend's event.
  Result<void> set_user_pin(SecretString pin) override {
    return inner_->set_user_pin(std::move(pin));
  }
  // Observability is the wrapped backend's; reading it is not audited.
  [[nodiscard]] BackendStats stats() const override { return inner_->stats(); }
  [[nodiscard]] Health health() override { return inner_->health(); }
  void set_event_handler(ReliabilityEventHandler handler) override {
    inner_->set_event_handler(std::move(handler));
  }
};

}  // namespace craton::hsm::audited
