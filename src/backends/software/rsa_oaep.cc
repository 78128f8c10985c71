// SPDX-License-Identifier: Apache-2.0
// RSA-OAEP (RFC 8017 §7.1) with MGF1 of the same SHA-2 hash and an optional label.
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include "backends/common/algorithms.h"
#include "backends/common/key_checks.h"
#include "backends/common/openssl_util.h"
#include "backends/software/cipher_util.h"
#include "backends/software/software_backend.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::software {

using common::Algorithms;
using common::data_or_empty;
using common::discard_openssl_errors;
using common::evp_key;
using common::openssl_failure;
using common::pkey_output_size;
using common::require_kind;

namespace {

Result<ossl::PkeyCtxPtr> new_context(EVP_PKEY* pkey) {
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (ctx == nullptr) return openssl_failure("EVP_PKEY_CTX_new_from_pkey");
  return ctx;
}

// The contract offers OAEP with SHA-256/384/512 only, on every backend alike.
Result<const EVP_MD*> oaep_digest(const Algorithms& algorithms, HashAlg hash) {
  if (hash == HashAlg::Sha224) {
    return fail(ErrorCode::MechanismUnsupported, "RSA-OAEP with SHA-224 is not supported");
  }
  return algorithms.digest(hash);
}

// OAEP padding, the hash for both OAEP and MGF1, and the label, on an initialised context.
Result<void> configure_oaep(EVP_PKEY_CTX* ctx, const EVP_MD* md, ByteView label) {
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) <= 0 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) <= 0) {
    return openssl_failure("configuring RSA-OAEP");
  }
  if (label.empty()) return {};
  CRATON_ASSIGN_OR_RETURN(const int label_size, checked_int(label.size(), "OAEP label"));
  // set0 takes ownership of OPENSSL_malloc'd memory, and only when it succeeds.
  void* copy = OPENSSL_memdup(label.data(), label.size());
  if (copy == nullptr) return openssl_failure("OPENSSL_memdup");
  if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, label_size) <= 0) {
    OPENSSL_free(copy);
    return openssl_failure("EVP_PKEY_CTX_set0_rsa_oaep_label");
  }
  return {};
}

}  // namespace

Result<Bytes> SoftwareBackend::rsa_oaep_encrypt(const Key& key, HashAlg hash, ByteView plaintext,
                                                ByteView label) {
  CRATON_RETURN_IF_ERROR(
      require_kind(key, {KeyKind::RsaPublic, KeyKind::RsaPrivate}, "RSA-OAEP encryption"));
  CRATON_ASSIGN_OR_RETURN(const EVP_MD* md, oaep_digest(algorithms_, hash));
  CRATON_ASSIGN_OR_RETURN(EVP_PKEY * pkey, evp_key(key));
  CRATON_RETURN_IF_ERROR(check_input_size(label.size(), "OAEP label"));
  // RFC 8017 §7.1.1 step 1b: mLen <= k - 2hLen - 2.
  CRATON_ASSIGN_OR_RETURN(const std::size_t modulus_bytes, pkey_output_size(pkey));
  const std::size_t overhead = 2 * digest_size(hash) + 2;
  if (modulus_bytes < overhead || plaintext.size() > modulus_bytes - overhead) {
    return fail(
        ErrorCode::DataLenRange,
        fmt::format("RSA-OAEP-{} with a {}-byte modulus takes at most {} bytes, got {}",
                    hash_name(hash), modulus_bytes,
                    modulus_bytes < overhead ? 0 : modulus_bytes - overhead, plaintext.size()));
  }

  CRATON_ASSIGN_OR_RETURN(ossl::PkeyCtxPtr ctx, new_context(pkey));
  if (EVP_PKEY_encrypt_init(ctx.get()) != 1) return openssl_failure("EVP_PKEY_encrypt_init");
  CRATON_RETURN_IF_ERROR(configure_oaep(ctx.get(), md, label));
  Bytes ciphertext(modulus_bytes);
  std::size_t size = ciphertext.size();
  if (EVP_PKEY_encrypt(ctx.get(), ciphertext.data(), &size, data_or_empty(plaintext),
                       plaintext.size()) != 1 ||
      size != modulus_bytes) {
    return openssl_failure("EVP_PKEY_encrypt");
  }
  return ciphertext;
}

Result<SecretBytes> SoftwareBackend::rsa_oaep_decrypt(const Key& key, HashAlg hash,
                                                      ByteView ciphertext, ByteView label) {
  CRATON_RETURN_IF_ERROR(require_kind(key, {KeyKind::RsaPrivate}, "RSA-OAEP decryption"));
  CRATON_ASSIGN_OR_RETURN(const EVP_MD* md, oaep_digest(algorithms_, hash));
  CRATON_ASSIGN_OR_RETURN(EVP_PKEY * pkey, evp_key(key));
  CRATON_RETURN_IF_ERROR(check_input_size(label.size(), "OAEP label"));

  // One error for every cause (RFC 8017 §7.1.2 note): telling a wrong length, a bad padding
  // and a wrong label apart would hand out a Manger-style oracle.
  const auto invalid = [] {
    discard_openssl_errors();
    return fail(ErrorCode::EncryptedDataInvalid, "RSA-OAEP decryption failed");
  };
  CRATON_ASSIGN_OR_RETURN(const std::size_t modulus_bytes, pkey_output_size(pkey));
  if (ciphertext.size() != modulus_bytes) return invalid();

  CRATON_ASSIGN_OR_RETURN(ossl::PkeyCtxPtr ctx, new_context(pkey));
  if (EVP_PKEY_decrypt_init(ctx.get()) != 1) return openssl_failure("EVP_PKEY_decrypt_init");
  CRATON_RETURN_IF_ERROR(configure_oaep(ctx.get(), md, label));
  SecretBytes plaintext = SecretBytes::zeroed(modulus_bytes);
  std::size_t size = plaintext.size();
  if (EVP_PKEY_decrypt(ctx.get(), plaintext.expose_mut().data(), &size, ciphertext.data(),
                       ciphertext.size()) != 1) {
    return invalid();
  }
  plaintext.truncate(size);
  return plaintext;
}

}  // namespace craton::hsm::software
