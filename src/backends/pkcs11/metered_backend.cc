// SPDX-License-Identifier: Apache-2.0
// MeteredPkcs11Backend: every public call forwarded through metrics::timed under its name.
#include "backends/pkcs11/metered_backend.h"

namespace craton::hsm::pkcs11 {
namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(Operation::Count)> kOperationNames{
    "sign",
    "sign_digest",
    "verify",
    "verify_digest",
    "aes_gcm_encrypt",
    "aes_gcm_decrypt",
    "aes_cbc_encrypt",
    "aes_cbc_decrypt",
    "aes_ctr",
    "rsa_oaep_encrypt",
    "rsa_oaep_decrypt",
    "wrap_key",
    "unwrap_key",
    "ecdh",
    "hmac",
    "hmac_verify",
    "digest",
    "digest_stream",
    "random",
    "generate_key",
    "generate_resident_key",
    "import_resident_key",
    "find_key",
    "list_keys",
    "list_objects",
    "import_certificate",
    "export_certificate",
    "export_public_key",
    "destroy_key",
    "describe_location",
    "set_user_pin",
};

}  // namespace

MeteredPkcs11Backend::MeteredPkcs11Backend(std::unique_ptr<Pkcs11Backend> inner)
    : inner_(std::move(inner)),
      metrics_(std::make_unique<std::array<metrics::OperationMetrics,
                                           static_cast<std::size_t>(Operation::Count)>>()) {}

BackendStats MeteredPkcs11Backend::stats() const {
  BackendStats stats = inner_->stats();
  for (std::size_t i = 0; i < kOperationNames.size(); ++i) {
    const metrics::OperationMetrics& op = (*metrics_)[i];
    if (op.count() == 0) continue;
    stats.operations[std::string(kOperationNames[i])] = op.snapshot();
  }
  return stats;
}

Result<Bytes> MeteredPkcs11Backend::sign(const Key& key, SignScheme scheme, ByteView message,
                                         SignatureEncoding encoding) {
  return metrics::timed(metrics(Operation::Sign),
                        [&] { return inner_->sign(key, scheme, message, encoding); });
}

Result<Bytes> MeteredPkcs11Backend::sign_digest(const Key& key, SignScheme scheme, ByteView digest,
                                                SignatureEncoding encoding) {
  return metrics::timed(metrics(Operation::SignDigest),
                        [&] { return inner_->sign_digest(key, scheme, digest, encoding); });
}

Result<VerifyOutcome> MeteredPkcs11Backend::verify(const Key& key, SignScheme scheme,
                                                   ByteView message, ByteView signature,
                                                   SignatureEncoding encoding) {
  return metrics::timed(metrics(Operation::Verify),
                        [&] { return inner_->verify(key, scheme, message, signature, encoding); });
}

Result<VerifyOutcome> MeteredPkcs11Backend::verify_digest(const Key& key, SignScheme scheme,
                                                          ByteView digest, ByteView signature,
                                                          SignatureEncoding encoding) {
  return metrics::timed(metrics(Operation::VerifyDigest), [&] {
    return inner_->verify_digest(key, scheme, digest, signature, encoding);
  });
}

Result<std::size_t> MeteredPkcs11Backend::aes_gcm_encrypt_into(const Key& key, ByteView plaintext,
                                                               ByteView aad,
                                                               std::span<std::uint8_t> sealed_out) {
  return metrics::timed(metrics(Operation::AesGcmEncrypt), [&] {
    return inner_->aes_gcm_encrypt_into(key, plaintext, aad, sealed_out);
  });
}

Result<std::size_t> MeteredPkcs11Backend::aes_gcm_decrypt_into(
    const Key& key, ByteView sealed, ByteView aad, std::span<std::uint8_t> plaintext_out) {
  return metrics::timed(metrics(Operation::AesGcmDecrypt), [&] {
    return inner_->aes_gcm_decrypt_into(key, sealed, aad, plaintext_out);
  });
}

Result<Bytes> MeteredPkcs11Backend::aes_cbc_encrypt(const Key& key, ByteView iv,
                                                    ByteView plaintext) {
  return metrics::timed(metrics(Operation::AesCbcEncrypt),
                        [&] { return inner_->aes_cbc_encrypt(key, iv, plaintext); });
}

Result<SecretBytes> MeteredPkcs11Backend::aes_cbc_decrypt(const Key& key, ByteView iv,
                                                          ByteView ciphertext) {
  return metrics::timed(metrics(Operation::AesCbcDecrypt),
                        [&] { return inner_->aes_cbc_decrypt(key, iv, ciphertext); });
}

Result<Bytes> MeteredPkcs11Backend::aes_ctr(const Key& key, ByteView iv, ByteView data) {
  return metrics::timed(metrics(Operation::AesCtr), [&] { return inner_->aes_ctr(key, iv, data); });
}

Result<Bytes> MeteredPkcs11Backend::rsa_oaep_encrypt(const Key& key, HashAlg hash,
                                                     ByteView plaintext, ByteView label) {
  return metrics::timed(metrics(Operation::RsaOaepEncrypt),
                        [&] { return inner_->rsa_oaep_encrypt(key, hash, plaintext, label); });
}

Result<SecretBytes> MeteredPkcs11Backend::rsa_oaep_decrypt(const Key& key, HashAlg hash,
                                                           ByteView ciphertext, ByteView label) {
  return metrics::timed(metrics(Operation::RsaOaepDecrypt),
                        [&] { return inner_->rsa_oaep_decrypt(key, hash, ciphertext, label); });
}

Result<Bytes> MeteredPkcs11Backend::wrap_key(const Key& kek, KeyWrapScheme scheme,
                                             const SecretBytes& key_to_wrap) {
  return metrics::timed(metrics(Operation::WrapKey),
                        [&] { return inner_->wrap_key(kek, scheme, key_to_wrap); });
}

Result<SecretBytes> MeteredPkcs11Backend::unwrap_key(const Key& kek, KeyWrapScheme scheme,
                                                     ByteView wrapped) {
  return metrics::timed(metrics(Operation::UnwrapKey),
                        [&] { return inner_->unwrap_key(kek, scheme, wrapped); });
}

Result<SecretBytes> MeteredPkcs11Backend::ecdh(const Key& private_key, const Key& peer_public) {
  return metrics::timed(metrics(Operation::Ecdh),
                        [&] { return inner_->ecdh(private_key, peer_public); });
}

Result<Bytes> MeteredPkcs11Backend::hmac(const Key& key, HashAlg hash, ByteView message) {
  return metrics::timed(metrics(Operation::Hmac), [&] { return inner_->hmac(key, hash, message); });
}

Result<VerifyOutcome> MeteredPkcs11Backend::hmac_verify(const Key& key, HashAlg hash,
                                                        ByteView message, ByteView tag) {
  return metrics::timed(metrics(Operation::HmacVerify),
                        [&] { return inner_->hmac_verify(key, hash, message, tag); });
}

Result<Bytes> MeteredPkcs11Backend::digest(HashAlg hash, ByteView data) {
  return metrics::timed(metrics(Operation::Digest), [&] { return inner_->digest(hash, data); });
}

Result<std::unique_ptr<DigestStream>> MeteredPkcs11Backend::digest_stream(HashAlg hash) {
  return metrics::timed(metrics(Operation::DigestStream),
                        [&] { return inner_->digest_stream(hash); });
}

Result<Bytes> MeteredPkcs11Backend::random(std::size_t size) {
  return metrics::timed(metrics(Operation::Random), [&] { return inner_->random(size); });
}

Result<Key> MeteredPkcs11Backend::generate_key(KeyAlgorithm algorithm) {
  return metrics::timed(metrics(Operation::GenerateKey),
                        [&] { return inner_->generate_key(algorithm); });
}

Result<Key> MeteredPkcs11Backend::generate_resident_key(const ResidentKeySpec& spec) {
  return metrics::timed(metrics(Operation::GenerateResidentKey),
                        [&] { return inner_->generate_resident_key(spec); });
}

Result<Key> MeteredPkcs11Backend::import_resident_key(const Key& material,
                                                      const ResidentKeySpec& spec) {
  return metrics::timed(metrics(Operation::ImportResidentKey),
                        [&] { return inner_->import_resident_key(material, spec); });
}

Result<Key> MeteredPkcs11Backend::find_key(const KeyRef& ref) {
  return metrics::timed(metrics(Operation::FindKey), [&] { return inner_->find_key(ref); });
}

Result<std::vector<ResidentKeyInfo>> MeteredPkcs11Backend::list_keys() {
  return metrics::timed(metrics(Operation::ListKeys), [&] { return inner_->list_keys(); });
}

Result<std::vector<TokenObjectInfo>> MeteredPkcs11Backend::list_objects(const ObjectQuery& query) {
  return metrics::timed(metrics(Operation::ListObjects),
                        [&] { return inner_->list_objects(query); });
}

Result<TokenObjectInfo> MeteredPkcs11Backend::import_certificate(std::span<const std::uint8_t> der,
                                                                 const CertificateSpec& spec) {
  return metrics::timed(metrics(Operation::ImportCertificate),
                        [&] { return inner_->import_certificate(der, spec); });
}

Result<std::vector<std::uint8_t>> MeteredPkcs11Backend::export_certificate(const KeyRef& ref) {
  return metrics::timed(metrics(Operation::ExportCertificate),
                        [&] { return inner_->export_certificate(ref); });
}

Result<std::vector<std::uint8_t>> MeteredPkcs11Backend::export_public_key(const KeyRef& ref) {
  return metrics::timed(metrics(Operation::ExportPublicKey),
                        [&] { return inner_->export_public_key(ref); });
}

Result<void> MeteredPkcs11Backend::destroy_key(const KeyRef& ref) {
  return metrics::timed(metrics(Operation::DestroyKey), [&] { return inner_->destroy_key(ref); });
}

Result<Pkcs11Uri> MeteredPkcs11Backend::describe_location() const {
  return metrics::timed(metrics(Operation::DescribeLocation),
                        [&] { return inner_->describe_location(); });
}

Result<void> MeteredPkcs11Backend::set_user_pin(SecretString pin) {
  return metrics::timed(metrics(Operation::SetUserPin),
                        [&] { return inner_->set_user_pin(std::move(pin)); });
}

}  // namespace craton::hsm::pkcs11
