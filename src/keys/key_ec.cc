// SPDX-License-Identifier: Apache-2.0
// EC P-256/P-384 and Ed25519 keys: range and on-curve checks on import, public halves derived.
#include <openssl/core_names.h>
#include <openssl/err.h>

#include "keys/key_build.h"

namespace craton::hsm {
namespace {

using keys::curve_info;
using keys::openssl_reason;

Result<ossl::PkeyPtr> ec_pkey(EcCurve curve, const BIGNUM* private_scalar,
                              std::span<const std::uint8_t> uncompressed_point) {
  ossl::ParamBldPtr builder(OSSL_PARAM_BLD_new());
  const std::string group(curve_info(curve).group_name);
  bool ok =
      builder &&
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(),
                                      0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       uncompressed_point.data(), uncompressed_point.size()) == 1;
  if (ok && private_scalar != nullptr) {
    ok = OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, private_scalar) == 1;
  }
  ossl::ParamsPtr params(ok ? OSSL_PARAM_BLD_to_param(builder.get()) : nullptr);
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw,
                        private_scalar != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) != 1) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("cannot build EC key ({})", openssl_reason()));
  }
  return ossl::PkeyPtr(raw);
}

std::vector<std::uint8_t> uncompressed(const EC_GROUP* group, const EC_POINT* point, BN_CTX* ctx) {
  std::vector<std::uint8_t> bytes(
      EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, nullptr, 0, ctx));
  EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, bytes.data(), bytes.size(), ctx);
  return bytes;
}

}  // namespace

Result<Key> Key::ec_private(EcCurve curve, std::span<const std::uint8_t> scalar) {
  const auto& info = curve_info(curve);
  // Wycheproof-style inputs may carry a leading 00 sign byte: strip zeros, then check range.
  while (!scalar.empty() && scalar.front() == 0) scalar = scalar.subspan(1);
  if (scalar.empty() || scalar.size() > info.field_bytes) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("EC {} private scalar must be 1..{} bytes and non-zero", info.display,
                            info.field_bytes));
  }
  ossl::EcGroupPtr group(EC_GROUP_new_by_curve_name(info.nid));
  ossl::BnCtxPtr bn_ctx(BN_CTX_new());
  ossl::BignumPtr d(BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr));
  if (!group || !bn_ctx || !d) return fail(ErrorCode::Internal, "OpenSSL allocation failed");
  if (BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("EC {} private scalar is not below the group order", info.display));
  }
  ossl::EcPointPtr point(EC_POINT_new(group.get()));
  if (!point ||
      EC_POINT_mul(group.get(), point.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1) {
    return fail(ErrorCode::Internal, "cannot derive the EC public point");
  }
  auto material = std::make_shared<KeyMaterial>();
  material->kind = KeyKind::EcPrivate;
  material->curve = curve;
  material->bits = info.field_bytes * 8;
  material->public_point = uncompressed(group.get(), point.get(), bn_ctx.get());
  material->secret = KeySecretBytes::zeroed(info.field_bytes);
  BN_bn2binpad(d.get(), material->secret.expose_mut().data(), static_cast<int>(info.field_bytes));
  CRATON_ASSIGN_OR_RETURN(ossl::PkeyPtr pkey, ec_pkey(curve, d.get(), material->public_point));
  material->evp = pkey.release();
  return keys::finish(std::move(material));
}

Result<Key> Key::ec_public(EcCurve curve, std::span<const std::uint8_t> sec1_point) {
  const auto& info = curve_info(curve);
  ossl::EcGroupPtr group(EC_GROUP_new_by_curve_name(info.nid));
  ossl::BnCtxPtr bn_ctx(BN_CTX_new());
  ossl::EcPointPtr point(group ? EC_POINT_new(group.get()) : nullptr);
  if (!group || !bn_ctx || !point) return fail(ErrorCode::Internal, "OpenSSL allocation failed");
  // oct2point rejects points off the curve; the identity is refused separately.
  if (sec1_point.empty() ||
      EC_POINT_oct2point(group.get(), point.get(), sec1_point.data(), sec1_point.size(),
                         bn_ctx.get()) != 1 ||
      EC_POINT_is_at_infinity(group.get(), point.get()) == 1) {
    ERR_clear_error();
    return fail(ErrorCode::InvalidArgument,
                fmt::format("not a valid EC {} public point", info.display));
  }
  return keys::ec_public_from_point(curve, uncompressed(group.get(), point.get(), bn_ctx.get()));
}

namespace keys {

Result<Key> ec_public_from_point(EcCurve curve, std::span<const std::uint8_t> uncompressed_point) {
  CRATON_ASSIGN_OR_RETURN(ossl::PkeyPtr pkey, ec_pkey(curve, nullptr, uncompressed_point));
  auto material = std::make_shared<KeyMaterial>();
  material->kind = KeyKind::EcPublic;
  material->curve = curve;
  material->bits = curve_info(curve).field_bytes * 8;
  material->public_point.assign(uncompressed_point.begin(), uncompressed_point.end());
  material->evp = pkey.release();
  return finish(std::move(material));
}

}  // namespace keys

Result<Key> Key::ed25519_private(std::span<const std::uint8_t> seed) {
  if (seed.size() != 32) return fail(ErrorCode::KeySizeRange, "Ed25519 seeds are 32 bytes");
  ossl::PkeyPtr pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  std::vector<std::uint8_t> public_key(32);
  std::size_t length = public_key.size();
  if (!pkey || EVP_PKEY_get_raw_public_key(pkey.get(), public_key.data(), &length) != 1) {
    return fail(ErrorCode::Internal,
                fmt::format("cannot build Ed25519 key ({})", openssl_reason()));
  }
  auto material = std::make_shared<KeyMaterial>();
  material->kind = KeyKind::Ed25519Private;
  material->bits = 256;
  material->secret = KeySecretBytes(seed);
  material->public_point = std::move(public_key);
  material->evp = pkey.release();
  return keys::finish(std::move(material));
}

Result<Key> Key::ed25519_public(std::span<const std::uint8_t> public_key) {
  if (public_key.size() != 32)
    return fail(ErrorCode::KeySizeRange, "Ed25519 public keys are 32 bytes");
  ossl::PkeyPtr pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  if (!pkey) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("not an Ed25519 public key ({})", openssl_reason()));
  }
  auto material = std::make_shared<KeyMaterial>();
  material->kind = KeyKind::Ed25519Public;
  material->bits = 256;
  material->public_point.assign(public_key.begin(), public_key.end());
  material->evp = pkey.release();
  return keys::finish(std::move(material));
}

}  // namespace craton::hsm
