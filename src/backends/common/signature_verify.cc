// SPDX-License-Identifier: Apache-2.0
// Signature verification with an OpenSSL key: the signature's form checked first, then
// EVP_DigestVerify over a message or EVP_PKEY_verify over a digest.
#include "backends/common/signature_verify.h"

#include <optional>

#include <openssl/ec.h>
#include <openssl/err.h>

#include "backends/common/ecdsa_encoding.h"
#include "backends/common/openssl_util.h"
#include "backends/common/signature_scheme.h"
#include "keys/key_build.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::common {
namespace {

constexpr std::size_t kEd25519SignatureBytes = 64;

// The signature as OpenSSL takes it, or nullopt when its form alone makes it Invalid. Checking
// the form here keeps every malformed signature out of OpenSSL, whose ECDSA verifier answers
// -1 (indistinguishable from an internal failure) for DER it does not like.
Result<std::optional<Bytes>> prepare_signature(EVP_PKEY* pkey, SignScheme scheme,
                                               ByteView signature, SignatureEncoding encoding) {
  const SchemeTraits traits = scheme_traits(scheme);
  switch (traits.family) {
    case SignatureFamily::RsaPkcs1v15:
    case SignatureFamily::RsaPss: {
      // RFC 8017 §8.1.2/§8.2.2 step 1: exactly the modulus length.
      CRATON_ASSIGN_OR_RETURN(const std::size_t modulus_bytes, pkey_output_size(pkey));
      if (signature.size() != modulus_bytes) return std::nullopt;
      break;
    }
    case SignatureFamily::Ed25519:
      if (signature.size() != kEd25519SignatureBytes) return std::nullopt;
      break;
    case SignatureFamily::Ecdsa: {
      const std::size_t field = keys::curve_info(*traits.curve).field_bytes;
      if (encoding == SignatureEncoding::Raw) {
        if (signature.size() != 2 * field) return std::nullopt;
        CRATON_ASSIGN_OR_RETURN(Bytes der, ecdsa_raw_to_der(signature, field));
        return std::optional<Bytes>(std::move(der));
      }
      // Strict DER that fits the field, passed on unchanged.
      if (!ecdsa_der_to_raw(signature, field)) return std::nullopt;
      break;
    }
  }
  return std::optional<Bytes>(std::in_place, signature.begin(), signature.end());
}

// SEC 1 §4.1.4 step 5: if u1·G + u2·Q is the point at infinity the signature is invalid. OpenSSL
// 3.0 reports that case as an EC library failure (-1, like a real fault), with
// EC_R_POINT_AT_INFINITY as the root cause. The queue is cleared before each verification, so
// the oldest queued error is that root cause; it is matched by its typed code, never by text.
bool ecdsa_hit_point_at_infinity(SignScheme scheme) {
  if (scheme_traits(scheme).family != SignatureFamily::Ecdsa) return false;
  const unsigned long root_cause = ERR_peek_error();
  return ERR_GET_LIB(root_cause) == ERR_LIB_EC &&
         ERR_GET_REASON(root_cause) == EC_R_POINT_AT_INFINITY;
}

// EVP verification returns 1 (valid), 0 (did not verify) or a negative value when the
// operation itself failed. Nothing here reads error strings.
Result<VerifyOutcome> classify(int rc, SignScheme scheme, std::string_view operation) {
  if (rc == 1) return VerifyOutcome::Valid;
  if (rc == 0 || ecdsa_hit_point_at_infinity(scheme)) {
    discard_openssl_errors();
    return VerifyOutcome::Invalid;
  }
  return openssl_failure(operation);
}

// EVP_DigestVerify hashes the message itself (or, for Ed25519, takes it whole).
Result<VerifyOutcome> verify_message(EVP_PKEY* pkey, SignScheme scheme, const EVP_MD* md,
                                     ByteView message, ByteView prepared) {
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return openssl_failure("EVP_MD_CTX_new");
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey) != 1) {
    return openssl_failure("EVP_DigestVerifyInit");
  }
  CRATON_RETURN_IF_ERROR(configure_rsa_padding(pctx, scheme, md));
  discard_openssl_errors();  // so that classify() sees only this call's errors
  return classify(EVP_DigestVerify(ctx.get(), prepared.data(), prepared.size(),
                                   data_or_empty(message), message.size()),
                  scheme, "EVP_DigestVerify");
}

// EVP_PKEY_verify takes the digest; the signature md makes RSA PKCS#1 v1.5 expect its
// DigestInfo.
Result<VerifyOutcome> verify_digest(EVP_PKEY* pkey, SignScheme scheme, const EVP_MD* md,
                                    ByteView digest, ByteView prepared) {
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (ctx == nullptr) return openssl_failure("EVP_PKEY_CTX_new_from_pkey");
  if (EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), md) <= 0) {
    return openssl_failure("EVP_PKEY_verify_init");
  }
  CRATON_RETURN_IF_ERROR(configure_rsa_padding(ctx.get(), scheme, md));
  discard_openssl_errors();  // so that classify() sees only this call's errors
  return classify(
      EVP_PKEY_verify(ctx.get(), prepared.data(), prepared.size(), digest.data(), digest.size()),
      scheme, "EVP_PKEY_verify");
}

}  // namespace

Result<VerifyOutcome> verify_signature(EVP_PKEY* pkey, SignScheme scheme, const EVP_MD* md,
                                       Signed form, ByteView data, ByteView signature,
                                       SignatureEncoding encoding) {
  CRATON_ASSIGN_OR_RETURN(const std::optional<Bytes> prepared,
                          prepare_signature(pkey, scheme, signature, encoding));
  if (!prepared) return VerifyOutcome::Invalid;
  return form == Signed::Message ? verify_message(pkey, scheme, md, data, *prepared)
                                 : verify_digest(pkey, scheme, md, data, *prepared);
}

}  // namespace craton::hsm::common
