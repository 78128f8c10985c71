// SPDX-License-Identifier: Apache-2.0
// RSA keys from PKCS#8, SubjectPublicKeyInfo, or modulus and exponent; validated on import.
#include <openssl/core_names.h>
#include <openssl/x509.h>

#include "keys/key_build.h"

namespace craton::hsm {
namespace {

using keys::openssl_reason;

Result<void> require_rsa(const EVP_PKEY* pkey, std::string_view what) {
  // Plain rsaEncryption only: an RSA-PSS-restricted key would refuse PKCS#1 v1.5 later.
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    return fail(ErrorCode::KeyTypeInconsistent, fmt::format("{} does not hold an RSA key", what));
  }
  return {};
}

}  // namespace

Result<Key> Key::rsa_private_pkcs8(std::span<const std::uint8_t> der) {
  const unsigned char* cursor = der.data();
  ossl::PkeyPtr pkey(d2i_AutoPrivateKey(nullptr, &cursor, static_cast<long>(der.size())));
  if (!pkey || cursor != der.data() + der.size()) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("not a DER private key ({})", openssl_reason()));
  }
  keys::wipe_stack_below();  // the DER decoder's frames
  CRATON_RETURN_IF_ERROR(require_rsa(pkey.get(), "the PKCS#8 structure"));
  // The public half by OpenSSL; the private parts by our own check (not EVP_PKEY_check, which
  // leaves recomputed private parts in freed memory).
  ossl::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("inconsistent RSA public key ({})", openssl_reason()));
  }
  CRATON_RETURN_IF_ERROR(keys::check_rsa_private_parts(pkey.get()));
  return keys::rsa_from_pkey(std::move(pkey), /*is_private=*/true, SecretBytes(der));
}

Result<Key> Key::rsa_public_spki(std::span<const std::uint8_t> der) {
  const unsigned char* cursor = der.data();
  ossl::PkeyPtr pkey(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  if (!pkey || cursor != der.data() + der.size()) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("not a DER SubjectPublicKeyInfo ({})", openssl_reason()));
  }
  CRATON_RETURN_IF_ERROR(require_rsa(pkey.get(), "the SubjectPublicKeyInfo"));
  return keys::rsa_from_pkey(std::move(pkey), /*is_private=*/false, {});
}

Result<Key> Key::rsa_public(std::span<const std::uint8_t> modulus,
                            std::span<const std::uint8_t> exponent) {
  ossl::BignumPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  ossl::BignumPtr e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
  ossl::ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!n || !e || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return fail(ErrorCode::Internal, "cannot assemble RSA parameters");
  }
  ossl::ParamsPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("not a valid RSA public key ({})", openssl_reason()));
  }
  return keys::rsa_from_pkey(ossl::PkeyPtr(raw), /*is_private=*/false, {});
}

}  // namespace craton::hsm
