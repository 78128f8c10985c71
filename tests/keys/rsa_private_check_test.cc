// SPDX-License-Identifier: Apache-2.0
// Key::rsa_private_pkcs8 refuses a PKCS#8 whose private parts are not one consistent key: a
// wrong CRT value makes a token's CRT signature leak the factors (the Bellcore attack), and
// OpenSSL would quietly repair it on the host, hiding the fault.
#include <craton/hsm/keys.h>
#include <craton/hsm/software_backend.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "keys/key_material.h"
#include "keys/openssl_ptr.h"
#include "support/matchers.h"

namespace craton::hsm {
namespace {

using testing::HasErrorCode;
using testing::IsOk;

using Parts = std::map<std::string, ossl::BignumPtr>;

constexpr const char* kNames[] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
                                  OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
                                  OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                                  OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};

Parts parts_of(const Key& key) {
  Parts parts;
  for (const char* name : kNames) {
    BIGNUM* value = nullptr;
    EXPECT_EQ(EVP_PKEY_get_bn_param(key.material().evp, name, &value), 1) << name;
    parts.emplace(name, ossl::BignumPtr(value));
  }
  return parts;
}

// The PKCS#8 DER of a key with exactly these parts (EVP_PKEY_fromdata does not check them).
std::vector<std::uint8_t> pkcs8_of(const Parts& parts) {
  ossl::ParamBldPtr builder(OSSL_PARAM_BLD_new());
  for (const auto& [name, value] : parts) {
    EXPECT_EQ(OSSL_PARAM_BLD_push_BN(builder.get(), name.c_str(), value.get()), 1) << name;
  }
  ossl::ParamsPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  EXPECT_EQ(EVP_PKEY_fromdata_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()), 1);
  const ossl::PkeyPtr pkey(raw);
  unsigned char* der = nullptr;
  const int length = i2d_PrivateKey(pkey.get(), &der);
  EXPECT_GT(length, 0);
  std::vector<std::uint8_t> out(der, der + std::max(length, 0));
  OPENSSL_clear_free(der, static_cast<std::size_t>(std::max(length, 0)));
  return out;
}

class RsaPrivateCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = make_software_backend()->generate_key(KeyAlgorithm::Rsa2048);
    ASSERT_THAT(key, IsOk());
    parts_ = parts_of(*key);
  }

  // The key with `change` applied to one part, through PKCS#8.
  Result<Key> changed(const char* name, const std::function<void(BIGNUM*)>& change) {
    Parts copy;
    for (const auto& [part, value] : parts_)
      copy.emplace(part, ossl::BignumPtr(BN_dup(value.get())));
    change(copy.at(name).get());
    return Key::rsa_private_pkcs8(pkcs8_of(copy));
  }

  Parts parts_;
};

TEST_F(RsaPrivateCheck, TheUnchangedKeyIsAccepted) {
  EXPECT_THAT(changed(OSSL_PKEY_PARAM_RSA_D, [](BIGNUM*) {}), IsOk());
}

TEST_F(RsaPrivateCheck, EveryWrongPrivatePartIsRefused) {
  const auto plus_two = [](BIGNUM* value) { BN_add_word(value, 2); };
  for (const char* name :
       {OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1, OSSL_PKEY_PARAM_RSA_FACTOR1}) {
    SCOPED_TRACE(name);
    EXPECT_THAT(changed(name, plus_two), HasErrorCode(ErrorCode::InvalidArgument));
  }
}

TEST_F(RsaPrivateCheck, FactorsThatAreNotPrimeAreRefusedEvenWhenTheyMultiplyToN) {
  // p' = p*q and q' = 1 would keep n; here: q replaced by q*3 and n by p*q*3.
  Parts copy;
  for (const auto& [part, value] : parts_) copy.emplace(part, ossl::BignumPtr(BN_dup(value.get())));
  BN_mul_word(copy.at(OSSL_PKEY_PARAM_RSA_FACTOR2).get(), 3);
  BN_mul_word(copy.at(OSSL_PKEY_PARAM_RSA_N).get(), 3);
  EXPECT_THAT(Key::rsa_private_pkcs8(pkcs8_of(copy)), HasErrorCode(ErrorCode::InvalidArgument));
}

}  // namespace
}  // namespace craton::hsm
