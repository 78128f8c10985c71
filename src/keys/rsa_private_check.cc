// SPDX-License-Identifier: Apache-2.0
// check_rsa_private_parts: the RSA private key consistency check of EVP_PKEY_check, with every
// number it computes in storage that is wiped when freed.
#include <openssl/core_names.h>

#include "keys/key_build.h"

namespace craton::hsm::keys {
namespace {

Result<void> inconsistent(std::string_view what) {
  return fail(ErrorCode::InvalidArgument, fmt::format("inconsistent RSA private key ({})", what));
}

// A fresh BIGNUM in OpenSSL's secure heap when it has one; BN_clear_free'd either way.
Result<ossl::BignumPtr> scratch() {
  ossl::BignumPtr number(BN_secure_new());
  if (number == nullptr) return fail(ErrorCode::HostMemory, "BN_secure_new failed");
  return number;
}

}  // namespace

Result<void> check_rsa_private_parts(const EVP_PKEY* pkey) {
  const auto part = [pkey](const char* name) { return bn_param(pkey, name); };
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr n, part(OSSL_PKEY_PARAM_RSA_N));
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr e, part(OSSL_PKEY_PARAM_RSA_E));
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr d, part(OSSL_PKEY_PARAM_RSA_D));
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr p, part(OSSL_PKEY_PARAM_RSA_FACTOR1));
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr q, part(OSSL_PKEY_PARAM_RSA_FACTOR2));
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr dp, part(OSSL_PKEY_PARAM_RSA_EXPONENT1));
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr dq, part(OSSL_PKEY_PARAM_RSA_EXPONENT2));
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr qinv, part(OSSL_PKEY_PARAM_RSA_COEFFICIENT1));
  wipe_stack_below();  // bn_param's reads

  const ossl::BnCtxPtr ctx(BN_CTX_secure_new());
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr product, scratch());
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr p1, scratch());
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr q1, scratch());
  CRATON_ASSIGN_OR_RETURN(const ossl::BignumPtr value, scratch());
  if (ctx == nullptr) return fail(ErrorCode::HostMemory, "BN_CTX_secure_new failed");
  BN_set_flags(d.get(), BN_FLG_CONSTTIME);

  if (BN_check_prime(p.get(), ctx.get(), nullptr) != 1 ||
      BN_check_prime(q.get(), ctx.get(), nullptr) != 1) {
    return inconsistent("a factor is not prime");
  }
  if (BN_mul(product.get(), p.get(), q.get(), ctx.get()) != 1 ||
      BN_cmp(product.get(), n.get()) != 0) {
    return inconsistent("n is not p*q");
  }
  if (BN_is_zero(d.get()) || BN_is_negative(d.get()) || BN_cmp(d.get(), n.get()) >= 0) {
    return inconsistent("d is out of range");
  }
  if (BN_sub(p1.get(), p.get(), BN_value_one()) != 1 ||
      BN_sub(q1.get(), q.get(), BN_value_one()) != 1) {
    return inconsistent("p-1, q-1");
  }
  // e*d = 1 mod (p-1) and mod (q-1): e*d = 1 mod lcm(p-1, q-1).
  for (const BIGNUM* modulus : {p1.get(), q1.get()}) {
    if (BN_mod_mul(value.get(), e.get(), d.get(), modulus, ctx.get()) != 1 ||
        !BN_is_one(value.get())) {
      return inconsistent("e*d is not 1 modulo p-1 and q-1");
    }
  }
  for (const auto& [exponent, modulus] : {std::pair{dp.get(), p1.get()}, {dq.get(), q1.get()}}) {
    if (BN_mod(value.get(), d.get(), modulus, ctx.get()) != 1 ||
        BN_cmp(value.get(), exponent) != 0) {
      return inconsistent("a CRT exponent is not d mod (factor-1)");
    }
  }
  if (BN_mod_mul(value.get(), q.get(), qinv.get(), p.get(), ctx.get()) != 1 ||
      !BN_is_one(value.get())) {
    return inconsistent("qInv is not q^-1 mod p");
  }
  return {};
}

}  // namespace craton::hsm::keys
