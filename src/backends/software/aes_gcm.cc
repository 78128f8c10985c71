// SPDX-License-Identifier: Apache-2.0
// AES-GCM sealing with a fresh random 96-bit IV per message (NIST SP 800-38D §8.2.2), and
// opening that never releases plaintext before the tag has been checked.
#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <openssl/rand.h>

#include "backends/software/openssl_util.h"
#include "backends/software/software_backend.h"
#include "keys/key_material.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::software {

Result<Bytes> SoftwareBackend::aes_gcm_encrypt(const Key& key, ByteView plaintext, ByteView aad) {
  CRATON_ASSIGN_OR_RETURN(const EVP_CIPHER* cipher, aes_cipher(key, AesMode::Gcm));
  CRATON_RETURN_IF_ERROR(check_input_size(plaintext.size(), "plaintext"));
  CRATON_RETURN_IF_ERROR(check_input_size(aad.size(), "associated data"));

  Bytes sealed(kGcmIvSize + plaintext.size() + kGcmTagSize);
  std::uint8_t* const iv = sealed.data();
  std::uint8_t* const body = iv + kGcmIvSize;
  std::uint8_t* const tag = body + plaintext.size();
  if (RAND_bytes(iv, static_cast<int>(kGcmIvSize)) != 1) return openssl_failure("RAND_bytes");

  // 12 bytes is the GCM default IV length, so no EVP_CTRL_AEAD_SET_IVLEN is needed.
  CRATON_ASSIGN_OR_RETURN(
      ossl::CipherCtxPtr ctx,
      start_cipher(cipher, key.material().secret.expose(), iv, CipherDirection::Encrypt));
  CRATON_RETURN_IF_ERROR(cipher_update(ctx.get(), nullptr, aad));
  CRATON_ASSIGN_OR_RETURN(const std::size_t written, cipher_update(ctx.get(), body, plaintext));
  int final_bytes = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), body + written, &final_bytes) != 1 ||
      written + static_cast<std::size_t>(final_bytes) != plaintext.size()) {
    return openssl_failure("EVP_EncryptFinal_ex");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kGcmTagSize), tag) !=
      1) {
    return openssl_failure("EVP_CTRL_AEAD_GET_TAG");
  }
  return sealed;
}

Result<SecretBytes> SoftwareBackend::aes_gcm_decrypt(const Key& key, ByteView sealed,
                                                     ByteView aad) {
  CRATON_ASSIGN_OR_RETURN(const EVP_CIPHER* cipher, aes_cipher(key, AesMode::Gcm));
  if (sealed.size() < kGcmIvSize + kGcmTagSize) {
    // Too short to hold an IV and a tag: as unauthenticated as any other forgery.
    return fail(ErrorCode::AuthenticationFailed,
                fmt::format("sealed message of {} bytes is shorter than IV and tag ({} bytes)",
                            sealed.size(), kGcmIvSize + kGcmTagSize));
  }
  const ByteView iv = sealed.first(kGcmIvSize);
  const ByteView body = sealed.subspan(kGcmIvSize, sealed.size() - kGcmIvSize - kGcmTagSize);
  // EVP_CTRL_AEAD_SET_TAG takes a non-const pointer.
  std::array<std::uint8_t, kGcmTagSize> tag{};
  std::copy_n(sealed.end() - kGcmTagSize, kGcmTagSize, tag.begin());
  CRATON_RETURN_IF_ERROR(check_input_size(body.size(), "ciphertext"));
  CRATON_RETURN_IF_ERROR(check_input_size(aad.size(), "associated data"));

  CRATON_ASSIGN_OR_RETURN(
      ossl::CipherCtxPtr ctx,
      start_cipher(cipher, key.material().secret.expose(), iv.data(), CipherDirection::Decrypt));
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kGcmTagSize),
                          tag.data()) != 1) {
    return openssl_failure("EVP_CTRL_AEAD_SET_TAG");
  }
  CRATON_RETURN_IF_ERROR(cipher_update(ctx.get(), nullptr, aad));
  // Plaintext goes straight into wiping storage; if the tag fails it is dropped unread.
  SecretBytes plaintext = SecretBytes::zeroed(body.size());
  CRATON_ASSIGN_OR_RETURN(const std::size_t written,
                          cipher_update(ctx.get(), plaintext.expose_mut().data(), body));
  int final_bytes = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), plaintext.expose_mut().data() + written, &final_bytes) != 1) {
    discard_openssl_errors();
    return fail(ErrorCode::AuthenticationFailed, "AES-GCM tag does not match");
  }
  if (written + static_cast<std::size_t>(final_bytes) != body.size()) {
    return fail(ErrorCode::Internal, "AES-GCM produced a plaintext of unexpected length");
  }
  return plaintext;
}

}  // namespace craton::hsm::software
