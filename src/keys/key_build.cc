// SPDX-License-Identifier: Apache-2.0
// Conversions and curve facts shared by the Key factories.
#include "keys/key_build.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

namespace craton::hsm::keys {

const CurveInfo& curve_info(EcCurve curve) {
  // OIDs 1.2.840.10045.3.1.7 (prime256v1) and 1.3.132.0.34 (secp384r1), DER-encoded.
  static const CurveInfo p256{NID_X9_62_prime256v1,
                              "prime256v1",
                              "P-256",
                              32,
                              {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}};
  static const CurveInfo p384{
      NID_secp384r1, "secp384r1", "P-384", 48, {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22}};
  return curve == EcCurve::P256 ? p256 : p384;
}

namespace {

// Never inlined, so its array sits below the caller's frame, where the frames of the calls the
// caller made were.
[[gnu::noinline]] void wipe_stack_area() {
  constexpr std::size_t kDepth = std::size_t{16} * 1024;
  unsigned char area[kDepth];
  OPENSSL_cleanse(area, sizeof(area));
}

}  // namespace

std::vector<std::uint8_t> bn_bytes(const BIGNUM* bn) {
  std::vector<std::uint8_t> bytes(std::max(1, BN_num_bytes(bn)));
  BN_bn2binpad(bn, bytes.data(), static_cast<int>(bytes.size()));
  return bytes;
}

KeySecretBytes bn_secret(const BIGNUM* bn) {
  KeySecretBytes bytes = KeySecretBytes::zeroed(std::max(1, BN_num_bytes(bn)));
  BN_bn2binpad(bn, bytes.expose_mut().data(), static_cast<int>(bytes.size()));
  return bytes;
}

Result<ossl::BignumPtr> bn_param(const EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) {
    return fail(ErrorCode::InvalidArgument, fmt::format("key lacks parameter '{}'", name));
  }
  return ossl::BignumPtr(bn);
}

void wipe_stack_below() {
  wipe_stack_area();
  wipe_vector_registers();
}

std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown reason";
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : fmt::format("OpenSSL error 0x{:x}", code);
}

Key finish(std::shared_ptr<KeyMaterial> material) {
  return Key(std::move(material));
}

Result<Key> rsa_from_pkey(ossl::PkeyPtr pkey, bool is_private, SecretBytes pkcs8_der) {
  CRATON_ASSIGN_OR_RETURN(ossl::BignumPtr n, bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N));
  CRATON_ASSIGN_OR_RETURN(ossl::BignumPtr e, bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E));
  const int bits = EVP_PKEY_get_bits(pkey.get());
  if (bits < 2048 || bits > 8192) {
    return fail(ErrorCode::KeySizeRange,
                fmt::format("RSA modulus of {} bits; 2048..8192 are accepted", bits));
  }
  // Small exponents invite attacks (Coppersmith, broadcast); 65537 is the modern floor.
  ossl::BignumPtr floor(BN_new());
  BN_set_word(floor.get(), 65537);
  if (BN_cmp(e.get(), floor.get()) < 0 || !BN_is_odd(e.get())) {
    return fail(ErrorCode::InvalidArgument, "RSA public exponent must be odd and >= 65537");
  }

  auto material = std::make_shared<KeyMaterial>();
  material->kind = is_private ? KeyKind::RsaPrivate : KeyKind::RsaPublic;
  material->bits = static_cast<std::size_t>(bits);
  material->rsa_modulus = bn_bytes(n.get());
  material->rsa_public_exponent = bn_bytes(e.get());
  if (is_private) {
    RsaPrivateParts parts;
    const std::pair<const char*, KeySecretBytes*> wanted[] = {
        {OSSL_PKEY_PARAM_RSA_D, &parts.private_exponent},
        {OSSL_PKEY_PARAM_RSA_FACTOR1, &parts.prime1},
        {OSSL_PKEY_PARAM_RSA_FACTOR2, &parts.prime2},
        {OSSL_PKEY_PARAM_RSA_EXPONENT1, &parts.exponent1},
        {OSSL_PKEY_PARAM_RSA_EXPONENT2, &parts.exponent2},
        {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &parts.coefficient}};
    for (const auto& [name, target] : wanted) {
      CRATON_ASSIGN_OR_RETURN(ossl::BignumPtr value, bn_param(pkey.get(), name));
      *target = bn_secret(value.get());
    }
    wipe_stack_below();  // bn_param's reads
    material->rsa_private.emplace(std::move(parts));
    material->secret = KeySecretBytes(pkcs8_der.expose());  // pkcs8_der wipes itself
  }
  material->evp = pkey.release();
  return finish(std::move(material));
}

}  // namespace craton::hsm::keys
