// SPDX-License-Identifier: Apache-2.0
// export_public_key on a module that stores CKA_EC_POINT as the bare point: the fault shim
// forwards to SoftHSM2 and strips the DER OCTET STRING from every CKA_EC_POINT it returns.
#include <openssl/ec.h>
#include <openssl/rand.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "keys/key_build.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::IsOk;

// An EC private key whose public X starts with `first`: from a random scalar k, k+1, k+2, …
// (one point addition each) until the point fits, one in 256.
Key ec_key_with_x_starting(EcCurve curve, std::uint8_t first) {
  const keys::CurveInfo& info = keys::curve_info(curve);
  ossl::EcGroupPtr group(EC_GROUP_new_by_curve_name(info.nid));
  ossl::BnCtxPtr ctx(BN_CTX_new());
  ossl::BignumPtr k(BN_new());
  ossl::EcPointPtr point(EC_POINT_new(group.get()));
  EXPECT_EQ(BN_rand_range(k.get(), EC_GROUP_get0_order(group.get())), 1);
  EXPECT_EQ(EC_POINT_mul(group.get(), point.get(), k.get(), nullptr, nullptr, ctx.get()), 1);
  std::vector<std::uint8_t> encoded(2 * info.field_bytes + 1);
  for (int attempt = 0; attempt < 100000; ++attempt) {
    EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, encoded.data(),
                       encoded.size(), ctx.get());
    if (encoded[1] == first) {
      std::vector<std::uint8_t> scalar(info.field_bytes);
      BN_bn2binpad(k.get(), scalar.data(), static_cast<int>(scalar.size()));
      auto key = Key::ec_private(curve, scalar);
      EXPECT_THAT(key, IsOk());
      EXPECT_EQ(key->material().public_point, encoded);
      return *key;
    }
    BN_add_word(k.get(), 1);
    EC_POINT_add(group.get(), point.get(), point.get(), EC_GROUP_get0_generator(group.get()),
                 ctx.get());
  }
  ADD_FAILURE() << "no key found";
  return *Key::ec_private(curve, std::vector<std::uint8_t>{1});
}

class EcPointExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Pkcs11PassthroughConfig config = fault_shim_config();
    config.pool_size = 1;
    auto created = Pkcs11PassthroughBackend::create(std::move(config));
    ASSERT_THAT(created, IsOk());
    backend_ = std::move(*created);
  }

  // Stores `key` on the token as a resident pair labelled `label` (the shim as set).
  KeyRef store(const Key& key, KeyAlgorithm algorithm, const std::string& label) {
    ResidentKeySpec spec;
    spec.algorithm = algorithm;
    spec.label = label;
    spec.id = {0xec, next_id_++};
    auto stored = backend_->import_resident_key(key, spec);
    EXPECT_THAT(stored, IsOk()) << label;
    KeyRef ref;
    ref.label = label;
    return ref;
  }

  void TearDown() override {
    shim_.set("bare_ec_point", 0);
    for (const auto& label : labels_) {
      KeyRef ref;
      ref.label = label;
      EXPECT_THAT(backend_->destroy_key(ref), IsOk()) << label;
    }
  }

  FaultShim shim_;
  std::unique_ptr<Pkcs11PassthroughBackend> backend_;
  std::vector<std::string> labels_;
  std::uint8_t next_id_ = 1;
};

// The X bytes whose bare points also parse as a DER OCTET STRING (0x3f: P-256's 63 remaining
// bytes, 0x5f: P-384's 95), the OCTET STRING tag itself, a long-form length byte, and ends.
constexpr std::uint8_t kAwkwardFirstBytes[] = {0x3f, 0x5f, 0x04, 0x81, 0x00, 0xff};

TEST_F(EcPointExportTest, ExportsTheStoredPointWhenTheModuleReturnsItBare) {
  for (const auto& [curve, algorithm] : {std::pair{EcCurve::P256, KeyAlgorithm::EcP256},
                                         std::pair{EcCurve::P384, KeyAlgorithm::EcP384}}) {
    for (const std::uint8_t first : kAwkwardFirstBytes) {
      const Key key = ec_key_with_x_starting(curve, first);
      const std::string label =
          fmt::format("ecpoint-{}-{:02x}", curve == EcCurve::P256 ? 256 : 384, first);
      const KeyRef ref = store(key, algorithm, label);
      labels_.push_back(label);
      auto expected = key.public_spki_der();
      ASSERT_THAT(expected, IsOk());

      shim_.set("bare_ec_point", 1);
      auto exported = backend_->export_public_key(ref);
      ASSERT_THAT(exported, IsOk()) << label;
      EXPECT_EQ(*exported, *expected) << label;
      // The public half alone, as `export-pub` on an imported public key reads it.
      KeyRef public_only = ref;
      public_only.object_class = ObjectClass::PublicKey;
      auto from_public = backend_->export_public_key(public_only);
      ASSERT_THAT(from_public, IsOk()) << label;
      EXPECT_EQ(*from_public, *expected) << label;
      shim_.set("bare_ec_point", 0);
      // The spec's encoding still reads the same.
      EXPECT_EQ(backend_->export_public_key(ref).value(), *expected) << label;
    }
  }
}

TEST_F(EcPointExportTest, ImportsAndSignsWhileTheModuleReturnsBarePoints) {
  shim_.set("bare_ec_point", 1);
  const Key key = ec_key_with_x_starting(EcCurve::P256, 0x3f);
  const KeyRef ref = store(key, KeyAlgorithm::EcP256, "ecpoint-bare-import");
  labels_.push_back("ecpoint-bare-import");
  auto resident = backend_->find_key(ref);
  ASSERT_THAT(resident, IsOk());
  const std::vector<std::uint8_t> message{'b', 'a', 'r', 'e'};
  auto signature =
      backend_->sign(*resident, SignScheme::EcdsaP256Sha256, message, SignatureEncoding::Raw);
  ASSERT_THAT(signature, IsOk());
  // The resident key's public half, read back bare, verifies what the token signed.
  EXPECT_EQ(
      backend_
          ->verify(key, SignScheme::EcdsaP256Sha256, message, *signature, SignatureEncoding::Raw)
          .value(),
      VerifyOutcome::Valid);
  EXPECT_EQ(resident->material().public_point, key.material().public_point);
}

TEST_F(EcPointExportTest, Ed25519ExportsWhenTheModuleReturnsTheKeyBare) {
  std::vector<std::uint8_t> seed(32);
  ASSERT_EQ(RAND_bytes(seed.data(), static_cast<int>(seed.size())), 1);
  auto key = Key::ed25519_private(seed);
  ASSERT_THAT(key, IsOk());
  const KeyRef ref = store(*key, KeyAlgorithm::Ed25519, "ecpoint-ed25519");
  labels_.push_back("ecpoint-ed25519");
  shim_.set("bare_ec_point", 1);
  auto exported = backend_->export_public_key(ref);
  ASSERT_THAT(exported, IsOk());
  EXPECT_EQ(*exported, key->public_spki_der().value());
}

}  // namespace
}  // namespace craton::hsm::pkcs11
