// SPDX-License-Identifier: Apache-2.0
// AES-GCM sealing with a fresh random 96-bit IV per message (NIST SP 800-38D §8.2.2), and
// opening that leaves no plaintext in the caller's buffer unless the tag has been checked.
#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <openssl/rand.h>

#include "backends/common/algorithms.h"
#include "backends/common/openssl_util.h"
#include "backends/software/cipher_util.h"
#include "backends/software/software_backend.h"
#include "core/output_buffer.h"
#include "keys/key_material.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::software {

using common::AesMode;
using common::discard_openssl_errors;

using common::openssl_failure;

Result<std::size_t> SoftwareBackend::aes_gcm_encrypt_into(const Key& key, ByteView plaintext,
                                                          ByteView aad,
                                                          std::span<std::uint8_t> sealed_out) {
  CRATON_RETURN_IF_ERROR(check_no_overlap(sealed_out, {plaintext, aad}, "AES-GCM encryption"));
  CRATON_ASSIGN_OR_RETURN(const EVP_CIPHER* cipher, aes_cipher(key, AesMode::Gcm));
  CRATON_RETURN_IF_ERROR(check_input_size(plaintext.size(), "plaintext"));
  CRATON_RETURN_IF_ERROR(check_input_size(aad.size(), "associated data"));
  const std::size_t sealed_size = kGcmIvSize + plaintext.size() + kGcmTagSize;
  CRATON_RETURN_IF_ERROR(check_output_size(sealed_out.size(), sealed_size, "AES-GCM encryption"));

  std::uint8_t* const iv = sealed_out.data();
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
  return sealed_size;
}

Result<std::size_t> SoftwareBackend::aes_gcm_decrypt_into(const Key& key, ByteView sealed,
                                                          ByteView aad,
                                                          std::span<std::uint8_t> plaintext_out) {
  CRATON_RETURN_IF_ERROR(check_no_overlap(plaintext_out, {sealed, aad}, "AES-GCM decryption"));
  // OpenSSL writes plaintext before it checks the tag: whatever fails, the buffer is wiped.
  return wipe_on_failure(gcm_decrypt_checked(key, sealed, aad, plaintext_out), plaintext_out);
}

Result<std::size_t> SoftwareBackend::gcm_decrypt_checked(const Key& key, ByteView sealed,
                                                         ByteView aad,
                                                         std::span<std::uint8_t> plaintext_out) {
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
  CRATON_RETURN_IF_ERROR(
      check_output_size(plaintext_out.size(), body.size(), "AES-GCM decryption"));

  CRATON_ASSIGN_OR_RETURN(
      ossl::CipherCtxPtr ctx,
      start_cipher(cipher, key.material().secret.expose(), iv.data(), CipherDirection::Decrypt));
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kGcmTagSize),
                          tag.data()) != 1) {
    return openssl_failure("EVP_CTRL_AEAD_SET_TAG");
  }
  CRATON_RETURN_IF_ERROR(cipher_update(ctx.get(), nullptr, aad));
  std::uint8_t* const out = plaintext_out.data();
  CRATON_ASSIGN_OR_RETURN(const std::size_t written, cipher_update(ctx.get(), out, body));
  int final_bytes = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out + written, &final_bytes) != 1) {
    discard_openssl_errors();
    return fail(ErrorCode::AuthenticationFailed, "AES-GCM tag does not match");
  }
  if (written + static_cast<std::size_t>(final_bytes) != body.size()) {
    return fail(ErrorCode::Internal, "AES-GCM produced a plaintext of unexpected length");
  }
  return body.size();
}

}  // namespace craton::hsm::software
