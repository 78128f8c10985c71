// SPDX-License-Identifier: Apache-2.0
// AuditedBackend: the passthrough backend with every operation recorded in the audit trail.
// A decorator, so a backend without an audit trail pays nothing for it.
#pragma once

#include <craton/hsm/audit.h>
#include <craton/hsm/pkcs11_backend.h>

#include <memory>

#include "audited/audit_relay.h"
#include "backends/pkcs11/passthrough_backend.h"

namespace craton::hsm::pkcs11 {

// Each call first asks the trail whether it can record (fail-closed: AuditUnavailable, and the
// operation does not run, also while an administrative event waits in the relay), runs the
// operation, then records one AuditEvent: operation, mechanism, key (fingerprint or resident
// URI, never bytes), byte counts, outcome, duration and the session-recovery, retry and
// fallback flags. The result is released only once that record is accepted (per_record: on
// disk); a record the trail refuses fails the call with AuditUnavailable and its result is
// discarded (output buffers wiped).
// Operations that change the token (generate_resident_key, import_resident_key, destroy_key)
// are write-ahead: an intent record is on disk before the token is called, and the outcome
// record names it. A refused intent means the token is not touched; a refused outcome fails
// the call with AuditUnavailable although the token did change, and the trail then shows an
// intent without an outcome (verify_audit_trail lists it).
// Thread-safety: as the wrapped backend.
class AuditedBackend final : public Pkcs11Backend {
 public:
  // Records BackendStart, then attaches `relay` so the events it held (the first login) follow.
  AuditedBackend(std::unique_ptr<Pkcs11PassthroughBackend> inner, std::shared_ptr<AuditLog> log,
                 std::shared_ptr<AuditRelay> relay);
  // Records BackendStop and waits until the trail has written everything; what it could not
  // write is reported through report_diagnostic.
  ~AuditedBackend() override;

  [[nodiscard]] std::string_view name() const noexcept override { return inner_->name(); }
  Result<Bytes> sign(const Key& key, SignScheme scheme, ByteView message,
                     SignatureEncoding encoding) override;
  Result<Bytes> sign_digest(const Key& key, SignScheme scheme, ByteView digest,
                            SignatureEncoding encoding) override;
  Result<VerifyOutcome> verify(const Key& key, SignScheme scheme, ByteView message,
                               ByteView signature, SignatureEncoding encoding) override;
  Result<VerifyOutcome> verify_digest(const Key& key, SignScheme scheme, ByteView digest,
                                      ByteView signature, SignatureEncoding encoding) override;
  Result<std::size_t> aes_gcm_encrypt_into(const Key& key, ByteView plaintext, ByteView aad,
                                           std::span<std::uint8_t> sealed_out) override;
  Result<std::size_t> aes_gcm_decrypt_into(const Key& key, ByteView sealed, ByteView aad,
                                           std::span<std::uint8_t> plaintext_out) override;
  Result<Bytes> aes_cbc_encrypt(const Key& key, ByteView iv, ByteView plaintext) override;
  Result<SecretBytes> aes_cbc_decrypt(const Key& key, ByteView iv, ByteView ciphertext) override;
  Result<Bytes> aes_ctr(const Key& key, ByteView iv, ByteView data) override;
  Result<Bytes> rsa_oaep_encrypt(const Key& key, HashAlg hash, ByteView plaintext,
                                 ByteView label) override;
  Result<SecretBytes> rsa_oaep_decrypt(const Key& key, HashAlg hash, ByteView ciphertext,
                                       ByteView label) override;
  Result<Bytes> wrap_key(const Key& kek, KeyWrapScheme scheme,
                         const SecretBytes& key_to_wrap) override;
  Result<SecretBytes> unwrap_key(const Key& kek, KeyWrapScheme scheme, ByteView wrapped) override;
  Result<SecretBytes> ecdh(const Key& private_key, const Key& peer_public) override;
  Result<Bytes> hmac(const Key& key, HashAlg hash, ByteView message) override;
  Result<VerifyOutcome> hmac_verify(const Key& key, HashAlg hash, ByteView message,
                                    ByteView tag) override;
  Result<Bytes> digest(HashAlg hash, ByteView data) override;
  Result<std::unique_ptr<DigestStream>> digest_stream(HashAlg hash) override;
  Result<Bytes> random(std::size_t size) override;
  Result<Key> generate_key(KeyAlgorithm algorithm) override;

  Result<Key> generate_resident_key(const ResidentKeySpec& spec) override;
  Result<Key> import_resident_key(const Key& material, const ResidentKeySpec& spec) override;
  Result<Key> find_key(const KeyRef& ref) override;
  Result<std::vector<ResidentKeyInfo>> list_keys() override;
  Result<std::vector<std::uint8_t>> export_public_key(const KeyRef& ref) override;
  Result<void> destroy_key(const KeyRef& ref) override;
  [[nodiscard]] std::string token_uri() const override { return inner_->token_uri(); }
  // Not recorded itself: the login it may make is, as a pool event.
  Result<void> set_user_pin(SecretString pin) override {
    return inner_->set_user_pin(std::move(pin));
  }
  Result<void> flush_audit() override;

  [[nodiscard]] Pkcs11PassthroughBackend& inner() noexcept { return *inner_; }
  [[nodiscard]] AuditLog& log() noexcept { return *log_; }

 private:
  // What an event says about a key: its fingerprint (the one the backend's caches use, so the
  // trail's key import events match) or its resident URI.
  AuditKey audit_key(const Key& key);
  static AuditKey audit_key(const KeyRef& ref);

  // Fail-closed: AuditUnavailable when the trail failed or an administrative event is held.
  [[nodiscard]] Result<void> can_record() const;
  template <typename T, typename Body>
  Result<T> audited(AuditOperation operation, AuditKey key, std::uint64_t input_bytes, Body&& body);
  template <typename T, typename Body>
  Result<T> write_ahead(AuditOperation operation, AuditKey key, Body&& body);

  std::unique_ptr<Pkcs11PassthroughBackend> inner_;
  std::shared_ptr<AuditLog> log_;
  std::shared_ptr<AuditRelay> relay_;
};

}  // namespace craton::hsm::pkcs11
