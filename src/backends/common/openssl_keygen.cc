// SPDX-License-Identifier: Apache-2.0
// Key generation with OpenSSL's DRBG, handing the result to the Key import factories so a
// generated key is validated exactly like an imported one.
#include "backends/common/openssl_keygen.h"

#include <string>

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "backends/common/openssl_util.h"
#include "keys/key_build.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::common {

namespace {

constexpr unsigned kRsaPublicExponent = 65537;

Result<SecretBytes> random_secret(std::size_t bytes) {
  SecretBytes key = SecretBytes::zeroed(bytes);
  if (RAND_priv_bytes(key.expose_mut().data(), static_cast<int>(bytes)) != 1) {
    return openssl_failure("RAND_priv_bytes");
  }
  return key;
}

Result<Key> generate_aes(std::size_t bytes) {
  CRATON_ASSIGN_OR_RETURN(const SecretBytes key, random_secret(bytes));
  return Key::aes(key.expose());
}

Result<Key> generate_hmac(std::size_t bytes) {
  CRATON_ASSIGN_OR_RETURN(const SecretBytes key, random_secret(bytes));
  return Key::hmac(key.expose());
}

Result<Key> generate_rsa(unsigned bits) {
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  ossl::BignumPtr exponent(BN_new());
  if (ctx == nullptr || exponent == nullptr ||
      BN_set_word(exponent.get(), kRsaPublicExponent) != 1) {
    return openssl_failure("EVP_PKEY_CTX_new_from_name");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) <= 0 ||
      EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), exponent.get()) <= 0 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return openssl_failure("RSA key generation");
  }
  const ossl::PkeyPtr pkey(raw);

  CRATON_ASSIGN_OR_RETURN(const SecretBytes der, pkcs8_der(pkey.get()));
  return Key::rsa_private_pkcs8(der.expose());
}

Result<Key> generate_ec(EcCurve curve) {
  const keys::CurveInfo& info = keys::curve_info(curve);
  const std::string group(info.group_name);
  const ossl::PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group.c_str()));
  if (pkey == nullptr) return openssl_failure("EC key generation");
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr scalar,
                          keys::bn_param(pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY));
  keys::wipe_stack_below();  // bn_param's read
  // Padded to the field size, the form Key::ec_private documents.
  SecretBytes bytes = SecretBytes::zeroed(info.field_bytes);
  const int field = static_cast<int>(info.field_bytes);
  if (BN_bn2binpad(scalar.get(), bytes.expose_mut().data(), field) != field) {
    return openssl_failure("BN_bn2binpad");
  }
  return Key::ec_private(curve, bytes.expose());
}

Result<Key> generate_ed25519() {
  const ossl::PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (pkey == nullptr) return openssl_failure("Ed25519 key generation");
  constexpr std::size_t kSeedBytes = 32;
  SecretBytes seed = SecretBytes::zeroed(kSeedBytes);
  std::size_t size = seed.size();
  if (EVP_PKEY_get_raw_private_key(pkey.get(), seed.expose_mut().data(), &size) != 1 ||
      size != kSeedBytes) {
    return openssl_failure("EVP_PKEY_get_raw_private_key");
  }
  return Key::ed25519_private(seed.expose());
}

}  // namespace

Result<Key> openssl_generate_key(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::Aes128:
      return generate_aes(16);
    case KeyAlgorithm::Aes192:
      return generate_aes(24);
    case KeyAlgorithm::Aes256:
      return generate_aes(32);
    case KeyAlgorithm::Rsa2048:
      return generate_rsa(2048);
    case KeyAlgorithm::Rsa3072:
      return generate_rsa(3072);
    case KeyAlgorithm::Rsa4096:
      return generate_rsa(4096);
    case KeyAlgorithm::EcP256:
      return generate_ec(EcCurve::P256);
    case KeyAlgorithm::EcP384:
      return generate_ec(EcCurve::P384);
    case KeyAlgorithm::Ed25519:
      return generate_ed25519();
    case KeyAlgorithm::Hmac256:
      return generate_hmac(32);
    case KeyAlgorithm::Hmac512:
      return generate_hmac(64);
  }
  return fail(ErrorCode::InvalidArgument,
              fmt::format("unknown key algorithm {}", static_cast<int>(algorithm)));
}

}  // namespace craton::hsm::common
