// SPDX-License-Identifier: Apache-2.0
// Scheme traits, key checks and RSA padding set-up shared by signing and verification.
#include "backends/common/signature_scheme.h"

#include <fmt/format.h>
#include <openssl/rsa.h>

#include "backends/common/key_checks.h"
#include "backends/common/openssl_util.h"

namespace craton::hsm::common {

SchemeTraits scheme_traits(SignScheme scheme) noexcept {
  switch (scheme) {
    case SignScheme::RsaPkcs1v15Sha256:
    case SignScheme::RsaPkcs1v15Sha384:
    case SignScheme::RsaPkcs1v15Sha512:
      return {SignatureFamily::RsaPkcs1v15, std::nullopt};
    case SignScheme::RsaPssSha256:
    case SignScheme::RsaPssSha384:
    case SignScheme::RsaPssSha512:
      return {SignatureFamily::RsaPss, std::nullopt};
    case SignScheme::EcdsaP256Sha256:
      return {SignatureFamily::Ecdsa, EcCurve::P256};
    case SignScheme::EcdsaP384Sha384:
      return {SignatureFamily::Ecdsa, EcCurve::P384};
    case SignScheme::Ed25519:
      break;
  }
  return {SignatureFamily::Ed25519, std::nullopt};
}

Result<void> require_prehash(SignScheme scheme) {
  if (scheme_has_prehash(scheme)) return {};
  return fail(
      ErrorCode::InvalidArgument,
      fmt::format("{} works on the message itself; it has no digest form", scheme_name(scheme)));
}

Result<void> check_digest_length(SignScheme scheme, ByteView digest) {
  const HashAlg hash = scheme_hash(scheme);
  if (digest.size() == digest_size(hash)) return {};
  return fail(ErrorCode::DataLenRange,
              fmt::format("{} digest of {} bytes, expected {}", hash_name(hash), digest.size(),
                          digest_size(hash)));
}

Result<const EVP_MD*> scheme_digest(const Algorithms& algorithms, SignScheme scheme) {
  if (!scheme_has_prehash(scheme)) return nullptr;
  return algorithms.digest(scheme_hash(scheme));
}

Result<void> check_scheme_key(const Key& key, SignScheme scheme, KeyUse use) {
  const SchemeTraits traits = scheme_traits(scheme);
  KeyKind private_kind = KeyKind::Ed25519Private;
  KeyKind public_kind = KeyKind::Ed25519Public;
  switch (traits.family) {
    case SignatureFamily::RsaPkcs1v15:
    case SignatureFamily::RsaPss:
      private_kind = KeyKind::RsaPrivate;
      public_kind = KeyKind::RsaPublic;
      break;
    case SignatureFamily::Ecdsa:
      private_kind = KeyKind::EcPrivate;
      public_kind = KeyKind::EcPublic;
      break;
    case SignatureFamily::Ed25519:
      break;
  }
  const bool kind_fits =
      key.kind() == private_kind || (use == KeyUse::Verify && key.kind() == public_kind);
  // Non-EC keys and non-ECDSA schemes both have no curve, so this only bites for ECDSA.
  if (!kind_fits || key.curve() != traits.curve) {
    return fail(ErrorCode::KeyTypeInconsistent,
                fmt::format("{} {} cannot use {}", scheme_name(scheme),
                            use == KeyUse::Verify ? "verification" : "signing", key.describe()));
  }
  return {};
}

Result<EVP_PKEY*> scheme_key(const Key& key, SignScheme scheme, KeyUse use) {
  CRATON_RETURN_IF_ERROR(check_scheme_key(key, scheme, use));
  return evp_key(key);
}

Result<void> configure_rsa_padding(EVP_PKEY_CTX* ctx, SignScheme scheme, const EVP_MD* md) {
  switch (scheme_traits(scheme).family) {
    case SignatureFamily::RsaPkcs1v15:
      if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) {
        return openssl_failure("EVP_PKEY_CTX_set_rsa_padding");
      }
      return {};
    case SignatureFamily::RsaPss:
      // Order matters: the salt length and MGF1 hash apply only once PSS padding is set.
      if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
          EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, EVP_MD_get_size(md)) <= 0 ||
          EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) <= 0) {
        return openssl_failure("configuring RSA-PSS");
      }
      return {};
    case SignatureFamily::Ecdsa:
    case SignatureFamily::Ed25519:
      break;
  }
  return {};
}

}  // namespace craton::hsm::common
