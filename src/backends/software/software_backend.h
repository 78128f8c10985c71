// SPDX-License-Identifier: Apache-2.0
// SoftwareBackend: CryptoBackend on OpenSSL 3's EVP interfaces. Each operation family is
// defined in its own file (sign.cc, verify.cc, aes_gcm.cc, ...); this header is their meeting
// point.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/software_backend.h>

#include <string>
#include <string_view>

#include "backends/common/algorithms.h"

namespace craton::hsm::software {

// Works on material keys only: every asymmetric key arrives with its EVP_PKEY already built,
// so no operation parses key bytes. Thread-safety: the only state is the options, the name and
// the fetched algorithms, all immutable after construction; OpenSSL contexts are per call.
class SoftwareBackend final : public CryptoBackend {
 public:
  explicit SoftwareBackend(SoftwareBackendOptions options);

  [[nodiscard]] std::string_view name() const noexcept override { return name_; }

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
  // DataLenRange when `size` exceeds options.max_message_bytes; `what` names the input.
  [[nodiscard]] Result<void> check_input_size(std::size_t size, std::string_view what) const;
  // aes_gcm_decrypt_into past the overlap check; the caller wipes the output when it fails.
  [[nodiscard]] Result<std::size_t> gcm_decrypt_checked(const Key& key, ByteView sealed,
                                                        ByteView aad,
                                                        std::span<std::uint8_t> plaintext_out);
  // The AES cipher for `key` in `mode`. Errors: KeyTypeInconsistent for a non-AES key.
  [[nodiscard]] Result<const EVP_CIPHER*> aes_cipher(const Key& key, common::AesMode mode) const;

  SoftwareBackendOptions options_;
  std::string name_;
  common::Algorithms algorithms_;
};

}  // namespace craton::hsm::software
