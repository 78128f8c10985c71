// SPDX-License-Identifier: Apache-2.0
// Signing a message (EVP_DigestSign) or a caller-computed digest (EVP_PKEY_sign).
#include <fmt/format.h>

#include "backends/common/ecdsa_encoding.h"
#include "backends/common/openssl_util.h"
#include "backends/common/signature_scheme.h"
#include "backends/software/software_backend.h"
#include "keys/key_build.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::software {

using common::check_digest_length;
using common::configure_rsa_padding;
using common::data_or_empty;
using common::ecdsa_der_to_raw;
using common::KeyUse;
using common::openssl_failure;
using common::pkey_output_size;
using common::require_prehash;
using common::scheme_digest;
using common::scheme_key;
using common::scheme_traits;
using common::SchemeTraits;
using common::SignatureFamily;

namespace {

// OpenSSL signs ECDSA as DER; Raw callers get fixed-width r‖s. Other schemes pass through.
Result<Bytes> finish_signature(SignScheme scheme, Bytes signature, SignatureEncoding encoding) {
  const SchemeTraits traits = scheme_traits(scheme);
  if (traits.family != SignatureFamily::Ecdsa || encoding == SignatureEncoding::Der) {
    return signature;
  }
  auto raw = ecdsa_der_to_raw(signature, keys::curve_info(*traits.curve).field_bytes);
  if (!raw) {
    return fail(ErrorCode::Internal, fmt::format("OpenSSL produced an unusable ECDSA signature: {}",
                                                 raw.error().message()));
  }
  return std::move(raw).value();
}

}  // namespace

Result<Bytes> SoftwareBackend::sign(const Key& key, SignScheme scheme, ByteView message,
                                    SignatureEncoding encoding) {
  CRATON_ASSIGN_OR_RETURN(EVP_PKEY * pkey, scheme_key(key, scheme, KeyUse::Sign));
  CRATON_RETURN_IF_ERROR(check_input_size(message.size(), "message"));
  CRATON_ASSIGN_OR_RETURN(const EVP_MD* md, scheme_digest(algorithms_, scheme));

  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return openssl_failure("EVP_MD_CTX_new");
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, pkey) != 1) {
    return openssl_failure("EVP_DigestSignInit");
  }
  CRATON_RETURN_IF_ERROR(configure_rsa_padding(pctx, scheme, md));

  // The largest signature the key can make; DER ECDSA signatures can come out shorter.
  CRATON_ASSIGN_OR_RETURN(std::size_t size, pkey_output_size(pkey));
  Bytes signature(size);
  if (EVP_DigestSign(ctx.get(), signature.data(), &size, data_or_empty(message), message.size()) !=
      1) {
    return openssl_failure("EVP_DigestSign");
  }
  signature.resize(size);
  return finish_signature(scheme, std::move(signature), encoding);
}

Result<Bytes> SoftwareBackend::sign_digest(const Key& key, SignScheme scheme, ByteView digest,
                                           SignatureEncoding encoding) {
  CRATON_RETURN_IF_ERROR(require_prehash(scheme));
  CRATON_ASSIGN_OR_RETURN(EVP_PKEY * pkey, scheme_key(key, scheme, KeyUse::Sign));
  CRATON_RETURN_IF_ERROR(check_digest_length(scheme, digest));
  CRATON_ASSIGN_OR_RETURN(const EVP_MD* md, algorithms_.digest(scheme_hash(scheme)));

  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (ctx == nullptr) return openssl_failure("EVP_PKEY_CTX_new_from_pkey");
  // The signature md makes RSA PKCS#1 v1.5 wrap the digest in its DigestInfo.
  if (EVP_PKEY_sign_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), md) <= 0) {
    return openssl_failure("EVP_PKEY_sign_init");
  }
  CRATON_RETURN_IF_ERROR(configure_rsa_padding(ctx.get(), scheme, md));

  CRATON_ASSIGN_OR_RETURN(std::size_t size, pkey_output_size(pkey));
  Bytes signature(size);
  if (EVP_PKEY_sign(ctx.get(), signature.data(), &size, digest.data(), digest.size()) != 1) {
    return openssl_failure("EVP_PKEY_sign");
  }
  signature.resize(size);
  return finish_signature(scheme, std::move(signature), encoding);
}

}  // namespace craton::hsm::software
