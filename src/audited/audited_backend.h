// SPDX-License-Identifier: Apache-2.0
// AuditedBackend: any CryptoBackend with every operation recorded in the audit trail. A
// decorator, so a backend without an audit trail pays nothing for it.
#pragma once

#include <craton/hsm/audit.h>
#include <craton/hsm/backend.h>
#include <craton/hsm/pkcs11_backend.h>

#include <memory>

#include "audited/audit_relay.h"
#include "audited/key_identity.h"
#include "audited/recorder.h"

namespace craton::hsm::audited {

// The CryptoBackend operations of `Interface` (CryptoBackend, or Pkcs11Backend for
// AuditedPkcs11Backend), each one audited call (see Recorder) around the same operation of the
// wrapped backend. The caller-buffer operations wipe the buffer when the call fails, a refused
// record included. A digest stream is recorded when it opens.
// Thread-safety: as the wrapped backend.
template <typename Interface>
class AuditedOperations : public Interface {
 public:
  // Records BackendStop and waits until the trail has written everything; what it could not
  // write is reported through report_diagnostic. The trail stops before the wrapped backend.
  ~AuditedOperations() override;
  AuditedOperations(const AuditedOperations&) = delete;
  AuditedOperations& operator=(const AuditedOperations&) = delete;
  AuditedOperations(AuditedOperations&&) = delete;
  AuditedOperations& operator=(AuditedOperations&&) = delete;

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
  // Without a trail it could write to (fail-open), never fails. Errors: AuditUnavailable.
  Result<void> flush_audit() override { return recorder_.flush(); }

  [[nodiscard]] Interface& inner() noexcept { return *inner_; }
  [[nodiscard]] AuditLog& log() noexcept { return recorder_.log(); }

 protected:
  // Records BackendStart, then attaches `relay` so the events it held (the first login)
  // follow. `key_identity` names the material keys in the records.
  AuditedOperations(std::unique_ptr<Interface> inner, std::shared_ptr<AuditLog> log,
                    std::shared_ptr<AuditRelay> relay, KeyIdentity key_identity);

  std::unique_ptr<Interface> inner_;
  Recorder recorder_;  // after inner_: the trail goes first
};

extern template class AuditedOperations<CryptoBackend>;
extern template class AuditedOperations<Pkcs11Backend>;

// Any CryptoBackend, audited. Administrative events from inside the backend (if it has any)
// reach the trail through `relay`.
class AuditedBackend final : public AuditedOperations<CryptoBackend> {
 public:
  AuditedBackend(std::unique_ptr<CryptoBackend> inner, std::shared_ptr<AuditLog> log,
                 KeyIdentity key_identity = process_key_fingerprint,
                 std::shared_ptr<AuditRelay> relay = std::make_shared<AuditRelay>())
      : AuditedOperations(std::move(inner), std::move(log), std::move(relay),
                          std::move(key_identity)) {}
};

}  // namespace craton::hsm::audited
