// SPDX-License-Identifier: Apache-2.0
// SoftHSM2's readings (CKR_GENERAL_ERROR as a failed integrity check, OAEP with SHA-1 only)
// come from the softhsm2 vendor profile, never from the module's name: the fault shim forwards
// to SoftHSM2 and, when told, names another vendor, and the config may pin any profile.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "backends/pkcs11/passthrough_backend.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

// Which vendor the module names (SoftHSM2 itself, or SoftHSM2 under another name) and which
// profile the config asks for ("auto": detected from those names).
enum class Vendor { SoftHsm, Other };
struct Setup {
  Vendor vendor;
  std::string profile;
};

void PrintTo(const Setup& setup, std::ostream* os) {
  *os << (setup.vendor == Vendor::SoftHsm ? "SoftHSM2" : "renamed SoftHSM2") << ", profile "
      << setup.profile;
}

class VendorQuirkTest : public ::testing::TestWithParam<Setup> {
 protected:
  void SetUp() override {
    shim_.set("foreign_manufacturer", GetParam().vendor == Vendor::Other ? 1 : 0);
    Pkcs11PassthroughConfig config = fault_shim_config();
    config.pool_size = 1;
    config.vendor_profile = GetParam().profile;
    auto created = Pkcs11PassthroughBackend::create(std::move(config));
    ASSERT_THAT(created, IsOk());
    backend_ = std::move(*created);
    auto key = Key::aes(std::vector<std::uint8_t>(32, 0x5a));
    ASSERT_THAT(key, IsOk());
    key_ = std::move(*key);
  }

  // Whether SoftHSM2's readings are in force: its profile, detected or named.
  [[nodiscard]] bool on_softhsm() const {
    return GetParam().profile == "softhsm2" ||
           (GetParam().profile == "auto" && GetParam().vendor == Vendor::SoftHsm);
  }

  FaultShim shim_;
  std::unique_ptr<Pkcs11PassthroughBackend> backend_;
  std::optional<Key> key_;
  const std::vector<std::uint8_t> message_{'q', 'u', 'i', 'r', 'k'};
  const std::vector<std::uint8_t> aad_{'v', '1'};
};

TEST_P(VendorQuirkTest, TheProfileNotTheNameDecidesTheReadings) {
  const Capabilities& capabilities = backend_->token_capabilities();
  EXPECT_EQ(capabilities.library_manufacturer() == "SoftHSM", GetParam().vendor == Vendor::SoftHsm);
  EXPECT_EQ(capabilities.vendor_profile().name, on_softhsm() ? "softhsm2" : "generic");
  EXPECT_EQ(capabilities.vendor_profile().detected, GetParam().profile == "auto");
  EXPECT_EQ(capabilities.general_error_reading(), on_softhsm()
                                                      ? GeneralErrorReading::IntegrityFailure
                                                      : GeneralErrorReading::DeviceFailure);
  // OAEP-SHA-256: the token's mechanism under the spec's reading, unsupported (never
  // OAEP-SHA-1 in its place) under SoftHSM2's.
  const CapabilityHow how = capabilities.table().at(oaep_row(HashAlg::Sha256, false)).how;
  EXPECT_EQ(how, on_softhsm() ? CapabilityHow::Unsupported : CapabilityHow::Token);
  EXPECT_EQ(capabilities.table().require(oaep_row(HashAlg::Sha256, true)).has_value(),
            !on_softhsm());
}

TEST_P(VendorQuirkTest, GcmGeneralErrorIsATagFailureOnlyOnSoftHsm) {
  auto sealed = backend_->aes_gcm_encrypt(*key_, message_, aad_);
  ASSERT_THAT(sealed, IsOk());
  // An injected C_Decrypt error ends the operation, as a module's own error does.
  shim_.set("fail_after_call", 1);
  shim_.fail("C_Decrypt", CKR_GENERAL_ERROR, 1);
  const auto opened = backend_->aes_gcm_decrypt(*key_, *sealed, aad_);
  if (on_softhsm()) {
    EXPECT_THAT(opened, HasErrorCode(ErrorCode::AuthenticationFailed));
  } else {
    ASSERT_THAT(opened, HasErrorCode(ErrorCode::Pkcs11Failure));
    EXPECT_EQ(opened.error().rv(), CKR_GENERAL_ERROR);
    EXPECT_EQ(opened.error().function(), "C_Decrypt");
  }
  // The failure is not remembered: the same message opens on the next call.
  auto again = backend_->aes_gcm_decrypt(*key_, *sealed, aad_);
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(
      std::equal(again->expose().begin(), again->expose().end(), message_.begin(), message_.end()));
}

TEST_P(VendorQuirkTest, CbcGeneralErrorIsBadPaddingOnlyOnSoftHsm) {
  const std::vector<std::uint8_t> iv(16, 0x01);
  auto ciphertext = backend_->aes_cbc_encrypt(*key_, iv, message_);
  ASSERT_THAT(ciphertext, IsOk());
  shim_.set("fail_after_call", 1);
  shim_.fail("C_Decrypt", CKR_GENERAL_ERROR, 1);
  const auto plaintext = backend_->aes_cbc_decrypt(*key_, iv, *ciphertext);
  EXPECT_THAT(plaintext, HasErrorCode(on_softhsm() ? ErrorCode::EncryptedDataInvalid
                                                   : ErrorCode::Pkcs11Failure));
  EXPECT_THAT(backend_->aes_cbc_decrypt(*key_, iv, *ciphertext), IsOk());
}

TEST_P(VendorQuirkTest, UnwrapGeneralErrorIsAnIntegrityFailureOnlyOnSoftHsm) {
  const SecretBytes payload(std::vector<std::uint8_t>(32, 0x77));
  auto wrapped = backend_->wrap_key(*key_, KeyWrapScheme::AesKw, payload);
  ASSERT_THAT(wrapped, IsOk());
  shim_.fail("C_UnwrapKey", CKR_GENERAL_ERROR, 1);
  EXPECT_THAT(backend_->unwrap_key(*key_, KeyWrapScheme::AesKw, *wrapped),
              HasErrorCode(on_softhsm() ? ErrorCode::WrappedKeyInvalid : ErrorCode::Pkcs11Failure));
  EXPECT_THAT(backend_->unwrap_key(*key_, KeyWrapScheme::AesKw, *wrapped), IsOk());
}

// The quirk exists because real SoftHSM2 answers a forged tag with CKR_GENERAL_ERROR: with no
// fault injected, a flipped tag bit reads as AuthenticationFailed there. The same answer from a
// module that is not SoftHSM2 stays what the spec says it is, a module failure.
TEST_P(VendorQuirkTest, AGenuineBadTagFromSoftHsmIsReadByTheVendorsRules) {
  auto sealed = backend_->aes_gcm_encrypt(*key_, message_, aad_);
  ASSERT_THAT(sealed, IsOk());
  sealed->back() ^= 0x01;
  const ErrorCode expected =
      on_softhsm() ? ErrorCode::AuthenticationFailed : ErrorCode::Pkcs11Failure;
  EXPECT_THAT(backend_->aes_gcm_decrypt(*key_, *sealed, aad_), HasErrorCode(expected));
  sealed->back() ^= 0x01;
  const std::vector<std::uint8_t> other_aad{'v', '2'};
  EXPECT_THAT(backend_->aes_gcm_decrypt(*key_, *sealed, other_aad), HasErrorCode(expected));
  EXPECT_THAT(backend_->aes_gcm_decrypt(*key_, *sealed, aad_), IsOk());
}

INSTANTIATE_TEST_SUITE_P(
    Vendors, VendorQuirkTest,
    ::testing::Values(Setup{Vendor::SoftHsm, "auto"}, Setup{Vendor::Other, "auto"},
                      Setup{Vendor::SoftHsm, "generic"}, Setup{Vendor::Other, "softhsm2"}),
    [](const ::testing::TestParamInfo<Setup>& info) {
      const std::string vendor = info.param.vendor == Vendor::SoftHsm ? "SoftHsm" : "Other";
      return vendor + "_" +
             (info.param.profile == "auto" ? std::string("Detected") : info.param.profile);
    });

}  // namespace
}  // namespace craton::hsm::pkcs11
