// SPDX-License-Identifier: Apache-2.0
// CryptoBackend: the one set of cryptographic operations, implemented over a PKCS#11 token
// (Pkcs11PassthroughBackend) and in software (SoftwareBackend), with identical contracts.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/export.h>
#include <craton/hsm/keys.h>
#include <craton/hsm/schemes.h>
#include <craton/hsm/secret.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace craton::hsm {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Layout of AES-GCM output: iv(12) ‖ ciphertext ‖ tag(16).
inline constexpr std::size_t kGcmIvSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;
inline constexpr std::size_t kAesBlockSize = 16;

// An incremental digest of any length: the backend's max_message_bytes bounds each update
// (DataLenRange), not the total. Finish once; afterwards every call fails with InvalidArgument.
class CRATON_HSM_API DigestStream {
 public:
  virtual ~DigestStream() = default;
  virtual Result<void> update(ByteView data) = 0;
  virtual Result<Bytes> finish() = 0;
};

// Contract common to every operation:
// - Inputs are checked before any token call; a bad key kind for the operation is
//   KeyTypeInconsistent, a bad length DataLenRange / KeySizeRange / InvalidArgument, a message
//   larger than the backend's max_message_bytes DataLenRange.
// - Outputs are complete or absent: never partial plaintext, never a truncated signature.
// - A scheme the backend cannot perform correctly is MechanismUnsupported, never a silent
//   substitute (another hash, a software fallback).
// - Verification answers Valid or Invalid; any other failure is an HsmError.
// Thread-safety: every backend is safe to call from any number of threads.
class CRATON_HSM_API CryptoBackend {
 public:
  virtual ~CryptoBackend() = default;

  // "pkcs11:SoftHSM", "software:OpenSSL 3.0.x".
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;

  // Signs `message`. ECDSA output is r‖s (Raw) or DER per `encoding`; others ignore it.
  // Key: RsaPrivate (RSA schemes), EcPrivate on the scheme's curve, Ed25519Private.
  virtual Result<Bytes> sign(const Key& key, SignScheme scheme, ByteView message,
                             SignatureEncoding encoding = SignatureEncoding::Raw) = 0;
  // Signs a caller-computed digest of the scheme's hash (length checked). Not for Ed25519.
  virtual Result<Bytes> sign_digest(const Key& key, SignScheme scheme, ByteView digest,
                                    SignatureEncoding encoding = SignatureEncoding::Raw) = 0;
  // Verifies with the public key or a private key's public half. A malformed signature
  // (wrong length, bad DER) is Invalid, not an error.
  virtual Result<VerifyOutcome> verify(const Key& key, SignScheme scheme, ByteView message,
                                       ByteView signature,
                                       SignatureEncoding encoding = SignatureEncoding::Raw) = 0;
  virtual Result<VerifyOutcome> verify_digest(
      const Key& key, SignScheme scheme, ByteView digest, ByteView signature,
      SignatureEncoding encoding = SignatureEncoding::Raw) = 0;

  // AES-GCM with a fresh random 96-bit IV per message: returns iv ‖ ciphertext ‖ tag. Past
  // the key's message budget: KeyUsageLimitExceeded (decryption keeps working).
  // Not virtual: allocates the result and calls aes_gcm_encrypt_into, every backend's one
  // implementation.
  Result<Bytes> aes_gcm_encrypt(const Key& key, ByteView plaintext, ByteView aad) {
    Bytes sealed(plaintext.size() + kGcmIvSize + kGcmTagSize);
    CRATON_ASSIGN_OR_RETURN(const std::size_t written,
                            aes_gcm_encrypt_into(key, plaintext, aad, sealed));
    sealed.resize(written);
    return sealed;
  }
  // Takes iv ‖ ciphertext ‖ tag. Any tampering: AuthenticationFailed, no plaintext.
  // Not virtual: calls aes_gcm_decrypt_into with wiping storage.
  Result<SecretBytes> aes_gcm_decrypt(const Key& key, ByteView sealed, ByteView aad) {
    // Room for the tag too, which spares a token that writes it (SoftHSM2) a temporary copy;
    // shorter than iv ‖ tag, aes_gcm_decrypt_into answers AuthenticationFailed.
    SecretBytes plaintext = SecretBytes::zeroed(
        sealed.size() > kGcmIvSize + kGcmTagSize ? sealed.size() - kGcmIvSize : 0);
    CRATON_ASSIGN_OR_RETURN(const std::size_t length,
                            aes_gcm_decrypt_into(key, sealed, aad, plaintext.expose_mut()));
    plaintext.truncate(length);
    return plaintext;
  }

  // The same two operations into a caller-supplied buffer, for large messages and hot loops: a
  // buffer reused across calls saves an allocation per message and, for MiB-sized messages,
  // the page faults of a heap that is trimmed and regrown on every call. Both return the
  // number of bytes written, at the start of the buffer; the bytes after them are left as they
  // were. An output that overlaps `plaintext`/`sealed` or `aad` is InvalidArgument, checked
  // before anything else (there is no in-place mode), and the buffer is then left untouched.
  //
  // Writes iv ‖ ciphertext ‖ tag: plaintext.size() + kGcmIvSize + kGcmTagSize bytes. A smaller
  // `sealed_out` is BufferTooSmall, before any token call and before the message counts against
  // the key's budget, and nothing is written. Other errors as aes_gcm_encrypt.
  virtual Result<std::size_t> aes_gcm_encrypt_into(const Key& key, ByteView plaintext, ByteView aad,
                                                   std::span<std::uint8_t> sealed_out) = 0;
  // Writes the plaintext: sealed.size() - kGcmIvSize - kGcmTagSize bytes; a smaller
  // `plaintext_out` is BufferTooSmall. Other errors as aes_gcm_decrypt. On every failure but
  // the overlap refusal the whole of `plaintext_out` is zeroed, so no partial or
  // unauthenticated plaintext is ever left in it. A token that wants room for the tag in its
  // output (SoftHSM2) gets it in `plaintext_out` when that has kGcmTagSize bytes to spare, and
  // otherwise decrypts through a wiped temporary.
  virtual Result<std::size_t> aes_gcm_decrypt_into(const Key& key, ByteView sealed, ByteView aad,
                                                   std::span<std::uint8_t> plaintext_out) = 0;

  // AES-CBC with PKCS#7 padding and a caller-supplied 16-byte IV.
  virtual Result<Bytes> aes_cbc_encrypt(const Key& key, ByteView iv, ByteView plaintext) = 0;
  // Bad padding or a length that is not a positive multiple of 16: EncryptedDataInvalid.
  virtual Result<SecretBytes> aes_cbc_decrypt(const Key& key, ByteView iv, ByteView ciphertext) = 0;
  // AES-CTR with a caller-supplied 16-byte initial counter block (full 128-bit counter);
  // encryption and decryption are the same operation.
  virtual Result<Bytes> aes_ctr(const Key& key, ByteView iv, ByteView data) = 0;

  // RSA-OAEP with MGF1 of the same hash and an optional label.
  virtual Result<Bytes> rsa_oaep_encrypt(const Key& key, HashAlg hash, ByteView plaintext,
                                         ByteView label) = 0;
  // Any decoding failure: EncryptedDataInvalid, one error for all causes.
  virtual Result<SecretBytes> rsa_oaep_decrypt(const Key& key, HashAlg hash, ByteView ciphertext,
                                               ByteView label) = 0;

  // Wraps secret bytes under an AES key-encryption key (RFC 3394 / RFC 5649).
  virtual Result<Bytes> wrap_key(const Key& kek, KeyWrapScheme scheme,
                                 const SecretBytes& key_to_wrap) = 0;
  // Integrity failure: WrappedKeyInvalid.
  virtual Result<SecretBytes> unwrap_key(const Key& kek, KeyWrapScheme scheme,
                                         ByteView wrapped) = 0;

  // ECDH (null KDF): the x-coordinate of private × peer, as secret bytes.
  virtual Result<SecretBytes> ecdh(const Key& private_key, const Key& peer_public) = 0;

  // HMAC with SHA-256/384/512 (SHA-224 is MechanismUnsupported).
  virtual Result<Bytes> hmac(const Key& key, HashAlg hash, ByteView message) = 0;
  // Constant-time comparison; a tag of the wrong length is Invalid.
  virtual Result<VerifyOutcome> hmac_verify(const Key& key, HashAlg hash, ByteView message,
                                            ByteView tag) = 0;

  virtual Result<Bytes> digest(HashAlg hash, ByteView data) = 0;
  virtual Result<std::unique_ptr<DigestStream>> digest_stream(HashAlg hash) = 0;

  // `size` random bytes, 1..65536.
  virtual Result<Bytes> random(std::size_t size) = 0;

  // Generates a key and returns it as material. WARNING: a token-generated key is created
  // extractable and read out of the token, so its private bytes then exist in host memory;
  // for keys that must never leave the HSM use resident keys instead.
  virtual Result<Key> generate_key(KeyAlgorithm algorithm) = 0;

  // Waits until the audit records of every operation so far are on disk (written and synced),
  // so that a caller can release a result whose record must survive a crash (the CLI calls it
  // before it writes any output). Without an audit trail, or under on_failure = fail_open,
  // it never fails. Errors: AuditUnavailable.
  virtual Result<void> flush_audit() { return {}; }
};

}  // namespace craton::hsm
