// SPDX-License-Identifier: Apache-2.0
// AuditedOperations: one audited call per CryptoBackend operation, for any wrapped backend.
#include "audited/audited_backend.h"

#include "core/output_buffer.h"

namespace craton::hsm::audited {

template <typename Interface>
AuditedOperations<Interface>::AuditedOperations(std::unique_ptr<Interface> inner,
                                                std::shared_ptr<AuditLog> log,
                                                std::shared_ptr<AuditRelay> relay,
                                                KeyIdentity key_identity)
    : inner_(std::move(inner)),
      recorder_(std::move(log), std::move(relay), std::move(key_identity)) {
  recorder_.start(inner_->name());
}

template <typename Interface>
AuditedOperations<Interface>::~AuditedOperations() {
  recorder_.stop();
}

template <typename Interface>
Result<Bytes> AuditedOperations<Interface>::sign(const Key& key, SignScheme scheme,
                                                 ByteView message, SignatureEncoding encoding) {
  return recorder_.audited<Bytes>(AuditOperation::Sign, recorder_.key(key), message.size(),
                                  [&] { return inner_->sign(key, scheme, message, encoding); });
}

template <typename Interface>
Result<Bytes> AuditedOperations<Interface>::sign_digest(const Key& key, SignScheme scheme,
                                                        ByteView digest,
                                                        SignatureEncoding encoding) {
  return recorder_.audited<Bytes>(
      AuditOperation::SignDigest, recorder_.key(key), digest.size(),
      [&] { return inner_->sign_digest(key, scheme, digest, encoding); });
}

template <typename Interface>
Result<VerifyOutcome> AuditedOperations<Interface>::verify(const Key& key, SignScheme scheme,
                                                           ByteView message, ByteView signature,
                                                           SignatureEncoding encoding) {
  return recorder_.audited<VerifyOutcome>(
      AuditOperation::Verify, recorder_.key(key), message.size(),
      [&] { return inner_->verify(key, scheme, message, signature, encoding); });
}

template <typename Interface>
Result<VerifyOutcome> AuditedOperations<Interface>::verify_digest(const Key& key, SignScheme scheme,
                                                                  ByteView digest,
                                                                  ByteView signature,
                                                                  SignatureEncoding encoding) {
  return recorder_.audited<VerifyOutcome>(
      AuditOperation::VerifyDigest, recorder_.key(key), digest.size(),
      [&] { return inner_->verify_digest(key, scheme, digest, signature, encoding); });
}

template <typename Interface>
Result<std::size_t> AuditedOperations<Interface>::aes_gcm_encrypt_into(
    const Key& key, ByteView plaintext, ByteView aad, std::span<std::uint8_t> sealed_out) {
  Result<std::size_t> sealed = recorder_.audited<std::size_t>(
      AuditOperation::AesGcmEncrypt, recorder_.key(key), plaintext.size() + aad.size(),
      [&] { return inner_->aes_gcm_encrypt_into(key, plaintext, aad, sealed_out); });
  // An unrecorded result is not released, in a caller's buffer either (left alone when it
  // overlaps the input: the inner backend refused that before writing).
  if (!sealed && !overlaps(sealed_out, plaintext) && !overlaps(sealed_out, aad)) {
    secure_wipe(sealed_out.data(), sealed_out.size());
  }
  return sealed;
}

template <typename Interface>
Result<std::size_t> AuditedOperations<Interface>::aes_gcm_decrypt_into(
    const Key& key, ByteView sealed, ByteView aad, std::span<std::uint8_t> plaintext_out) {
  Result<std::size_t> opened = recorder_.audited<std::size_t>(
      AuditOperation::AesGcmDecrypt, recorder_.key(key), sealed.size() + aad.size(),
      [&] { return inner_->aes_gcm_decrypt_into(key, sealed, aad, plaintext_out); });
  // No plaintext stays behind a failure, a refused audit record included; only an output that
  // overlaps the input is left alone (the inner backend refused it before writing).
  if (!opened && !overlaps(plaintext_out, sealed) && !overlaps(plaintext_out, aad)) {
    secure_wipe(plaintext_out.data(), plaintext_out.size());
  }
  return opened;
}

template <typename Interface>
Result<Bytes> AuditedOperations<Interface>::aes_cbc_encrypt(const Key& key, ByteView iv,
                                                            ByteView plaintext) {
  return recorder_.audited<Bytes>(AuditOperation::AesCbcEncrypt, recorder_.key(key),
                                  plaintext.size(),
                                  [&] { return inner_->aes_cbc_encrypt(key, iv, plaintext); });
}

template <typename Interface>
Result<SecretBytes> AuditedOperations<Interface>::aes_cbc_decrypt(const Key& key, ByteView iv,
                                                                  ByteView ciphertext) {
  return recorder_.audited<SecretBytes>(
      AuditOperation::AesCbcDecrypt, recorder_.key(key), ciphertext.size(),
      [&] { return inner_->aes_cbc_decrypt(key, iv, ciphertext); });
}

template <typename Interface>
Result<Bytes> AuditedOperations<Interface>::aes_ctr(const Key& key, ByteView iv, ByteView data) {
  return recorder_.audited<Bytes>(AuditOperation::AesCtr, recorder_.key(key), data.size(),
                                  [&] { return inner_->aes_ctr(key, iv, data); });
}

template <typename Interface>
Result<Bytes> AuditedOperations<Interface>::rsa_oaep_encrypt(const Key& key, HashAlg hash,
                                                             ByteView plaintext, ByteView label) {
  return recorder_.audited<Bytes>(
      AuditOperation::RsaOaepEncrypt, recorder_.key(key), plaintext.size(),
      [&] { return inner_->rsa_oaep_encrypt(key, hash, plaintext, label); });
}

template <typename Interface>
Result<SecretBytes> AuditedOperations<Interface>::rsa_oaep_decrypt(const Key& key, HashAlg hash,
                                                                   ByteView ciphertext,
                                                                   ByteView label) {
  return recorder_.audited<SecretBytes>(
      AuditOperation::RsaOaepDecrypt, recorder_.key(key), ciphertext.size(),
      [&] { return inner_->rsa_oaep_decrypt(key, hash, ciphertext, label); });
}

template <typename Interface>
Result<Bytes> AuditedOperations<Interface>::wrap_key(const Key& kek, KeyWrapScheme scheme,
                                                     const SecretBytes& key_to_wrap) {
  return recorder_.audited<Bytes>(AuditOperation::WrapKey, recorder_.key(kek), key_to_wrap.size(),
                                  [&] { return inner_->wrap_key(kek, scheme, key_to_wrap); });
}

template <typename Interface>
Result<SecretBytes> AuditedOperations<Interface>::unwrap_key(const Key& kek, KeyWrapScheme scheme,
                                                             ByteView wrapped) {
  return recorder_.audited<SecretBytes>(AuditOperation::UnwrapKey, recorder_.key(kek),
                                        wrapped.size(),
                                        [&] { return inner_->unwrap_key(kek, scheme, wrapped); });
}

template <typename Interface>
Result<SecretBytes> AuditedOperations<Interface>::ecdh(const Key& private_key,
                                                       const Key& peer_public) {
  return recorder_.audited<SecretBytes>(AuditOperation::Ecdh, recorder_.key(private_key), 0,
                                        [&] { return inner_->ecdh(private_key, peer_public); });
}

template <typename Interface>
Result<Bytes> AuditedOperations<Interface>::hmac(const Key& key, HashAlg hash, ByteView message) {
  return recorder_.audited<Bytes>(AuditOperation::Hmac, recorder_.key(key), message.size(),
                                  [&] { return inner_->hmac(key, hash, message); });
}

template <typename Interface>
Result<VerifyOutcome> AuditedOperations<Interface>::hmac_verify(const Key& key, HashAlg hash,
                                                                ByteView message, ByteView tag) {
  return recorder_.audited<VerifyOutcome>(
      AuditOperation::HmacVerify, recorder_.key(key), message.size(),
      [&] { return inner_->hmac_verify(key, hash, message, tag); });
}

template <typename Interface>
Result<Bytes> AuditedOperations<Interface>::digest(HashAlg hash, ByteView data) {
  return recorder_.audited<Bytes>(AuditOperation::Digest, {}, data.size(),
                                  [&] { return inner_->digest(hash, data); });
}

template <typename Interface>
Result<std::unique_ptr<DigestStream>> AuditedOperations<Interface>::digest_stream(HashAlg hash) {
  // Recorded when the stream opens; its updates stay in the session it holds.
  return recorder_.audited<std::unique_ptr<DigestStream>>(
      AuditOperation::Digest, {}, 0, [&] { return inner_->digest_stream(hash); });
}

template <typename Interface>
Result<Bytes> AuditedOperations<Interface>::random(std::size_t size) {
  return recorder_.audited<Bytes>(AuditOperation::Random, {}, 0,
                                  [&] { return inner_->random(size); });
}

template <typename Interface>
Result<Key> AuditedOperations<Interface>::generate_key(KeyAlgorithm algorithm) {
  return recorder_.audited<Key>(AuditOperation::GenerateKey, {}, 0,
                                [&] { return inner_->generate_key(algorithm); });
}

template class AuditedOperations<CryptoBackend>;
template class AuditedOperations<Pkcs11Backend>;

}  // namespace craton::hsm::audited
