// SPDX-License-Identifier: Apache-2.0
// RSA-OAEP (RFC 8017 §7.1, CKM_RSA_PKCS_OAEP) on the token, with MGF1 of the same hash and an
// optional label, only for hashes the token performs correctly (never a substitute hash).
#include <fmt/format.h>

#include "backends/common/key_checks.h"
#include "backends/pkcs11/mechanisms.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "pkcs11/session/input.h"
#include "pkcs11/session/output_length.h"

namespace craton::hsm::pkcs11 {
namespace {

// PKCS#11 v2.40 §2.1.8: the label travels as CKZ_DATA_SPECIFIED source data.
CK_RSA_PKCS_OAEP_PARAMS oaep_params(HashAlg hash, ByteView label) {
  const HashMechanisms mechanisms = hash_mechanisms(hash);
  CK_RSA_PKCS_OAEP_PARAMS params{};
  params.hashAlg = mechanisms.digest;
  params.mgf = mechanisms.mgf;
  params.source = CKZ_DATA_SPECIFIED;
  // The module only reads the label; the C structure just lacks the const.
  params.pSourceData = label.empty() ? nullptr : const_cast<CK_BYTE_PTR>(label.data());
  params.ulSourceDataLen = label.size();
  return params;
}

// Both directions, before any token call: the token must list CKM_RSA_PKCS_OAEP and perform it
// correctly with `hash`. SoftHSM2 2.6 lists it but performs it with SHA-1 only
// (docs/vendors.md); SHA-1 is not on offer, and neither is quietly doing it in software.
// The capability table's row holds all of it, and the key's size against the mechanism's.
Result<void> check_oaep(const Capabilities& capabilities, HashAlg hash, bool decrypt,
                        const Key& key) {
  const std::size_t row = oaep_row(hash, decrypt);
  CRATON_RETURN_IF_ERROR(capabilities.table().require(row));
  return capabilities.table().require_key_size(row, key.bits());
}

std::size_t modulus_bytes(const Key& key) {
  return (key.bits() + 7) / 8;
}

}  // namespace

Result<Bytes> Pkcs11PassthroughBackend::rsa_oaep_encrypt(const Key& key, HashAlg hash,
                                                         ByteView plaintext, ByteView label) {
  CRATON_RETURN_IF_ERROR(check_input_size(label.size(), "OAEP label"));
  CRATON_RETURN_IF_ERROR(
      common::require_kind(key, {KeyKind::RsaPublic, KeyKind::RsaPrivate}, "RSA-OAEP encryption"));
  CRATON_RETURN_IF_ERROR(check_oaep(capabilities_, hash, /*decrypt=*/false, key));
  // RFC 8017 §7.1.1 step 1b: mLen <= k - 2hLen - 2, refused before the token sees it.
  const std::size_t k = modulus_bytes(key);
  const std::size_t overhead = 2 * digest_size(hash) + 2;
  if (k < overhead || plaintext.size() > k - overhead) {
    return fail(ErrorCode::DataLenRange,
                fmt::format("RSA-OAEP-{} with a {}-byte modulus takes at most {} bytes, got {}",
                            hash_name(hash), k, k < overhead ? 0 : k - overhead, plaintext.size()));
  }
  return with_public_key<Bytes>(
      key, KeyUsage::Encrypt, [&](Lease& lease, CK_OBJECT_HANDLE object) -> Result<Bytes> {
        CK_RSA_PKCS_OAEP_PARAMS params = oaep_params(hash, label);
        CK_MECHANISM mechanism{CKM_RSA_PKCS_OAEP, &params, sizeof params};
        CRATON_RETURN_IF_ERROR(lease.call<Fn::EncryptInit>(&mechanism, object));
        Bytes ciphertext(k);
        CK_ULONG length = ciphertext.size();
        CRATON_RETURN_IF_ERROR(lease.call<Fn::Encrypt>(input_ptr(plaintext), input_len(plaintext),
                                                       ciphertext.data(), &length));
        CRATON_RETURN_IF_ERROR(
            output_length(Fn::Encrypt, length, ciphertext.size(), ExpectedLength::exactly(k)));
        return ciphertext;
      });
}

Result<SecretBytes> Pkcs11PassthroughBackend::rsa_oaep_decrypt(const Key& key, HashAlg hash,
                                                               ByteView ciphertext,
                                                               ByteView label) {
  CRATON_RETURN_IF_ERROR(check_input_size(label.size(), "OAEP label"));
  CRATON_RETURN_IF_ERROR(common::require_kind(key, {KeyKind::RsaPrivate}, "RSA-OAEP decryption"));
  CRATON_RETURN_IF_ERROR(check_oaep(capabilities_, hash, /*decrypt=*/true, key));
  // One error for every cause (RFC 8017 §7.1.2 note): telling a wrong length, a bad padding and
  // a wrong label apart would hand out a Manger-style oracle.
  const auto invalid = [] {
    return fail(ErrorCode::EncryptedDataInvalid, "RSA-OAEP decryption failed");
  };
  const std::size_t k = modulus_bytes(key);
  if (ciphertext.size() != k) return invalid();
  return with_key<SecretBytes>(
      key, KeyUsage::Decrypt, [&](Lease& lease, CK_OBJECT_HANDLE object) -> Result<SecretBytes> {
        CK_RSA_PKCS_OAEP_PARAMS params = oaep_params(hash, label);
        CK_MECHANISM mechanism{CKM_RSA_PKCS_OAEP, &params, sizeof params};
        CRATON_RETURN_IF_ERROR(lease.call<Fn::DecryptInit>(&mechanism, object));
        SecretBytes plaintext = SecretBytes::zeroed(k);
        CK_ULONG length = plaintext.size();
        // A dead session or a stale key handle says nothing about the ciphertext: those stay
        // visible so the pool can rebuild and retry. Every other answer, whichever CKR_* the
        // module picked for which decoding step, is the one error.
        const auto classify = [&](CK_RV, HsmError mapped) {
          if (mapped.action() != ErrorAction::Stop) return std::unexpected(std::move(mapped));
          return invalid();
        };
        CRATON_RETURN_IF_ERROR(lease.call_classified<Fn::Decrypt>(
            classify, input_ptr(ciphertext), input_len(ciphertext), plaintext.expose_mut().data(),
            &length));
        // A length past the buffer or longer than OAEP allows is never read: it is the one
        // error too, since a module's answer might depend on the ciphertext. An empty message
        // is a valid OAEP plaintext.
        const std::size_t overhead = 2 * digest_size(hash) + 2;
        const auto message_size =
            output_length(Fn::Decrypt, length, plaintext.size(),
                          ExpectedLength::at_most(k > overhead ? k - overhead : 0));
        if (!message_size) return invalid();
        plaintext.truncate(*message_size);
        return plaintext;
      });
}

}  // namespace craton::hsm::pkcs11
