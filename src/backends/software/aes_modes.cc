// SPDX-License-Identifier: Apache-2.0
// AES-CBC with PKCS#7 padding and AES-CTR with a full 128-bit counter, both with caller IVs.
#include <fmt/format.h>

#include "backends/common/algorithms.h"
#include "backends/common/openssl_util.h"
#include "backends/software/cipher_util.h"
#include "backends/software/software_backend.h"
#include "keys/key_material.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::software {

using common::AesMode;
using common::discard_openssl_errors;
using common::openssl_failure;

namespace {

Result<void> check_iv(ByteView iv, std::string_view mode) {
  if (iv.size() == kAesBlockSize) return {};
  return fail(ErrorCode::InvalidArgument,
              fmt::format("{} IV of {} bytes, expected {}", mode, iv.size(), kAesBlockSize));
}

}  // namespace

Result<Bytes> SoftwareBackend::aes_cbc_encrypt(const Key& key, ByteView iv, ByteView plaintext) {
  CRATON_ASSIGN_OR_RETURN(const EVP_CIPHER* cipher, aes_cipher(key, AesMode::Cbc));
  CRATON_RETURN_IF_ERROR(check_iv(iv, "AES-CBC"));
  CRATON_RETURN_IF_ERROR(check_input_size(plaintext.size(), "plaintext"));
  CRATON_ASSIGN_OR_RETURN(
      ossl::CipherCtxPtr ctx,
      start_cipher(cipher, key.material().secret.expose(), iv.data(), CipherDirection::Encrypt));

  // PKCS#7 always pads, by a whole block when the input is already aligned (RFC 5652 §6.3).
  Bytes ciphertext((plaintext.size() / kAesBlockSize + 1) * kAesBlockSize);
  CRATON_ASSIGN_OR_RETURN(const std::size_t written,
                          cipher_update(ctx.get(), ciphertext.data(), plaintext));
  int final_bytes = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), ciphertext.data() + written, &final_bytes) != 1 ||
      written + static_cast<std::size_t>(final_bytes) != ciphertext.size()) {
    return openssl_failure("EVP_EncryptFinal_ex");
  }
  return ciphertext;
}

Result<SecretBytes> SoftwareBackend::aes_cbc_decrypt(const Key& key, ByteView iv,
                                                     ByteView ciphertext) {
  CRATON_ASSIGN_OR_RETURN(const EVP_CIPHER* cipher, aes_cipher(key, AesMode::Cbc));
  CRATON_RETURN_IF_ERROR(check_iv(iv, "AES-CBC"));
  if (ciphertext.empty() || ciphertext.size() % kAesBlockSize != 0) {
    return fail(ErrorCode::EncryptedDataInvalid,
                fmt::format("AES-CBC ciphertext of {} bytes is not a positive multiple of {}",
                            ciphertext.size(), kAesBlockSize));
  }
  CRATON_RETURN_IF_ERROR(check_input_size(ciphertext.size(), "ciphertext"));
  CRATON_ASSIGN_OR_RETURN(
      ossl::CipherCtxPtr ctx,
      start_cipher(cipher, key.material().secret.expose(), iv.data(), CipherDirection::Decrypt));

  // The padded plaintext is as long as the ciphertext; the padding is cut off (and wiped)
  // once its length is known.
  SecretBytes plaintext = SecretBytes::zeroed(ciphertext.size());
  CRATON_ASSIGN_OR_RETURN(const std::size_t written,
                          cipher_update(ctx.get(), plaintext.expose_mut().data(), ciphertext));
  int final_bytes = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), plaintext.expose_mut().data() + written, &final_bytes) != 1) {
    discard_openssl_errors();
    return fail(ErrorCode::EncryptedDataInvalid, "AES-CBC padding is invalid");
  }
  plaintext.truncate(written + static_cast<std::size_t>(final_bytes));
  return plaintext;
}

Result<Bytes> SoftwareBackend::aes_ctr(const Key& key, ByteView iv, ByteView data) {
  CRATON_ASSIGN_OR_RETURN(const EVP_CIPHER* cipher, aes_cipher(key, AesMode::Ctr));
  CRATON_RETURN_IF_ERROR(check_iv(iv, "AES-CTR"));
  CRATON_RETURN_IF_ERROR(check_input_size(data.size(), "data"));
  // OpenSSL's CTR mode increments all 128 bits of the counter block (SP 800-38A §B.1).
  CRATON_ASSIGN_OR_RETURN(
      ossl::CipherCtxPtr ctx,
      start_cipher(cipher, key.material().secret.expose(), iv.data(), CipherDirection::Encrypt));

  Bytes out(data.size());
  CRATON_ASSIGN_OR_RETURN(const std::size_t written, cipher_update(ctx.get(), out.data(), data));
  int final_bytes = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + written, &final_bytes) != 1 ||
      written + static_cast<std::size_t>(final_bytes) != out.size()) {
    return openssl_failure("EVP_EncryptFinal_ex");
  }
  return out;
}

}  // namespace craton::hsm::software
