// SPDX-License-Identifier: Apache-2.0
// MeteredPkcs11Backend: a Pkcs11Backend decorator that counts and times every public call at
// one choke point (metrics::timed) for stats().operations.
#pragma once

#include <craton/hsm/pkcs11_backend.h>

#include <array>
#include <memory>

#include "metrics/operation_metrics.h"

namespace craton::hsm::pkcs11 {

// The public operations, each metered under its name in kOperationNames.
enum class Operation : std::uint8_t {
  Sign,
  SignDigest,
  Verify,
  VerifyDigest,
  AesGcmEncrypt,
  AesGcmDecrypt,
  AesCbcEncrypt,
  AesCbcDecrypt,
  AesCtr,
  RsaOaepEncrypt,
  RsaOaepDecrypt,
  WrapKey,
  UnwrapKey,
  Ecdh,
  Hmac,
  HmacVerify,
  Digest,
  DigestStream,
  Random,
  GenerateKey,
  GenerateResidentKey,
  ImportResidentKey,
  FindKey,
  ListKeys,
  ListObjects,
  ImportCertificate,
  ExportCertificate,
  ExportPublicKey,
  DestroyKey,
  DescribeLocation,
  SetUserPin,
  Count
};

// Thread-safety: as the wrapped backend; recording is lock-free. Adds two clock reads and a few
// relaxed atomic increments per call; the snapshot reads while calls run.
class MeteredPkcs11Backend final : public Pkcs11Backend {
 public:
  explicit MeteredPkcs11Backend(std::unique_ptr<Pkcs11Backend> inner);

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
  Result<void> flush_audit() override { return inner_->flush_audit(); }

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
  [[nodiscard]] Result<Pkcs11Uri> describe_location() const override;
  Result<void> set_user_pin(SecretString pin) override;

  // The wrapped backend, for tests and diagnostics.
  [[nodiscard]] Pkcs11Backend& inner() noexcept { return *inner_; }

  // The wrapped backend's stats with `operations` filled in.
  [[nodiscard]] BackendStats stats() const override;
  [[nodiscard]] Health health() override { return inner_->health(); }
  void set_event_handler(ReliabilityEventHandler handler) override {
    inner_->set_event_handler(std::move(handler));
  }

 private:
  metrics::OperationMetrics& metrics(Operation op) const noexcept {
    return (*metrics_)[static_cast<std::size_t>(op)];
  }

  std::unique_ptr<Pkcs11Backend> inner_;
  // Heap-held and reachable from const members (describe_location is const).
  std::unique_ptr<std::array<metrics::OperationMetrics, static_cast<std::size_t>(Operation::Count)>>
      metrics_;
};

}  // namespace craton::hsm::pkcs11
