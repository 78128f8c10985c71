// SPDX-License-Identifier: Apache-2.0
// ResidentKeysBackend: runs the conformance suite over token-resident keys. Every key a test
// hands in is first stored on the token as a resident key (persistent, sensitive,
// non-extractable, with only its family's usages) and the operation then runs on that resident
// Key, so the same assertions cover both kinds of key reference.
#pragma once

#include <craton/hsm/pkcs11_backend.h>

#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace craton::hsm::conformance {

class ResidentKeysBackend final : public CryptoBackend {
 public:
  explicit ResidentKeysBackend(std::unique_ptr<Pkcs11Backend> inner) : inner_(std::move(inner)) {}
  // Destroys every resident key it stored, so the token ends as it started.
  ~ResidentKeysBackend() override;
  ResidentKeysBackend(const ResidentKeysBackend&) = delete;
  ResidentKeysBackend& operator=(const ResidentKeysBackend&) = delete;

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

 private:
  // The resident twin of `key`, stored on first use. When the token refuses to store it, the
  // test fails (the resident run must never quietly use the material key instead) and the
  // operation returns the import's error; the next use tries again.
  Result<Key> resident(const Key& key);

  std::unique_ptr<Pkcs11Backend> inner_;
  std::mutex mutex_;
  std::map<const void*, std::pair<Key, Key>> twins_;  // material -> (original, resident)
  std::vector<KeyRef> stored_;
};

}  // namespace craton::hsm::conformance
