// SPDX-License-Identifier: Apache-2.0
// Vendor profiles (src/vendor, docs/vendors/): detection from identity strings, and each
// profile quirk reproduced on SoftHSM2 through the fault shim's quirk modes, with the profile
// on (the backend copes or refuses with a typed error) and off (the quirk bites: the test can
// fail).
#include <craton/hsm/diagnostics.h>
#include <craton/hsm/software_backend.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"
#include "vendor/vendor_profile.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::testing::HasSubstr;

std::string_view detected(const vendor::VendorStrings& strings) {
  return vendor::detect(strings).name;
}

TEST(VendorDetection, NamesEachVendorFromItsIdentityStrings) {
  EXPECT_EQ(detected({"SoftHSM", "Implementation of PKCS11", "SoftHSM project", "SoftHSM v2"}),
            "softhsm2");
  EXPECT_EQ(detected({"Mozilla Foundation", "NSS Internal Crypto Services", "", ""}), "nss");
  EXPECT_EQ(detected({"IBM", "Meta PKCS11 LIBRARY", "IBM", "SoftTok"}), "opencryptoki");
  EXPECT_EQ(detected({"SafeNet, Inc.", "Chrystoki", "", ""}), "luna");
  EXPECT_EQ(detected({"Thales", "", "Safenet, Inc.", "Luna K7"}), "luna");
  EXPECT_EQ(detected({"AWS CloudHSM", "", "", ""}), "cloudhsm");
  EXPECT_EQ(detected({"nCipher Corp. Ltd", "nCipher PKCS#11", "", ""}), "nshield");
  EXPECT_EQ(detected({"Utimaco IS GmbH", "CryptoServer PKCS#11", "", ""}), "utimaco");
  EXPECT_EQ(detected({"Yubico (www.yubico.com)", "YubiHSM PKCS#11 Library", "", "YubiHSM"}),
            "yubihsm2");
}

TEST(VendorDetection, UnknownVendorsAndLookalikesAreGeneric) {
  EXPECT_EQ(detected({"Craton Test Vendor", "", "", ""}), "generic");
  EXPECT_EQ(detected({}), "generic");
  // ykcs11 (YubiKey PIV) is Yubico's too, without the YubiHSM 2's session limit.
  EXPECT_EQ(detected({"Yubico (www.yubico.com)", "PKCS#11 PIV Library (SP-800-73)", "Yubico",
                      "YubiKey NEO"}),
            "generic");
}

TEST(VendorDetection, EveryProfileHasAReasonAndGenericIsTheSpec) {
  ASSERT_EQ(vendor::profiles().size(), 9u);
  for (const auto& profile : vendor::profiles()) EXPECT_FALSE(profile.why.empty()) << profile.name;
  EXPECT_EQ(vendor::find_profile("generic")->quirks, vendor::Quirks{});
}

TEST(VendorDetection, ConfigOverridesApplyAfterTheProfile) {
  Pkcs11PassthroughConfig config;
  config.vendor_profile = "nss";
  config.vendor_quirks = {{"gcm_single_part_only", false}, {"max_sessions", std::int64_t{3}}};
  config.serialize_calls = true;
  const auto profile = vendor::resolve(config, {});
  ASSERT_THAT(profile, IsOk());
  EXPECT_EQ(profile->name, "nss");
  EXPECT_FALSE(profile->detected);
  EXPECT_TRUE(profile->overridden);
  EXPECT_FALSE(profile->quirks.gcm_single_part_only);
  EXPECT_TRUE(profile->quirks.gcm_short_length_query) << "untouched switches keep the profile's";
  EXPECT_EQ(profile->quirks.max_sessions, 3u);
  EXPECT_TRUE(profile->quirks.serialize_calls);
  EXPECT_EQ(vendor::describe(*profile), "nss (configured, overridden)");
}

// A backend on the shim with `profile` and whatever the test changes in the config.
std::unique_ptr<Pkcs11PassthroughBackend> make_backend(
    const std::string& profile, std::uint32_t pool_size,
    const std::function<void(Pkcs11PassthroughConfig&)>& adjust = {},
    PoolEventHandler on_event = {}) {
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.vendor_profile = profile;
  config.pool_size = pool_size;
  if (adjust) adjust(config);
  auto created = Pkcs11PassthroughBackend::create(std::move(config), std::move(on_event));
  EXPECT_THAT(created, IsOk());
  return created ? std::move(*created) : nullptr;
}

Key aes_key() {
  return Key::aes(std::vector<std::uint8_t>(32, 0x5a)).value();
}

// AES-GCM round trip: what every concurrency test below runs.
::testing::AssertionResult round_trip(Pkcs11PassthroughBackend& backend, const Key& key, int n) {
  const std::vector<std::uint8_t> message{'p', 'r', 'o', 'f', static_cast<std::uint8_t>(n)};
  auto sealed = backend.aes_gcm_encrypt(key, message, {});
  if (!sealed) return ::testing::AssertionFailure() << sealed.error();
  auto opened = backend.aes_gcm_decrypt(key, *sealed, {});
  if (!opened) return ::testing::AssertionFailure() << opened.error();
  if (!std::ranges::equal(opened->expose(), message)) {
    return ::testing::AssertionFailure() << "wrong plaintext";
  }
  return ::testing::AssertionSuccess();
}

// Runs `threads` threads of `ops` round trips; returns how many failed.
int hammer(Pkcs11PassthroughBackend& backend, int threads, int ops) {
  const Key key = aes_key();
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < ops; ++i) {
        if (!round_trip(backend, key, t * ops + i)) failures.fetch_add(1);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  return failures.load();
}

class VendorProfileTest : public ::testing::Test {
 protected:
  FaultShim shim_;
};

TEST_F(VendorProfileTest, AutoDetectsSoftHsm2AndTheConfigCanNameAnother) {
  auto automatic = make_backend("auto", 1);
  ASSERT_NE(automatic, nullptr);
  EXPECT_EQ(automatic->vendor_profile().name, "softhsm2");
  EXPECT_TRUE(automatic->vendor_profile().detected);
  EXPECT_TRUE(automatic->vendor_profile().quirks.oaep_sha1_only);
  automatic.reset();
  auto named = make_backend("opencryptoki", 1, [](Pkcs11PassthroughConfig& config) {
    config.vendor_quirks.emplace("refuses_private_key_create", true);
  });
  ASSERT_NE(named, nullptr);
  EXPECT_EQ(vendor::describe(named->vendor_profile()), "opencryptoki (configured, overridden)");
  EXPECT_TRUE(named->vendor_profile().quirks.untrusted_session_limits);
  EXPECT_TRUE(named->vendor_profile().quirks.refuses_private_key_create);
}

// openCryptoki reports ulMaxSessionCount 0xFFFFFFFFFFFFFFFE: never a limit to clamp to.
TEST_F(VendorProfileTest, BogusHugeSessionCountsNeitherClampNorBreakThePool) {
  shim_.set("max_rw_sessions", 0xFFFFFFFFFFFFFFFEUL);
  std::atomic<int> clamped{0};
  auto backend = make_backend("generic", 8, {}, [&](const PoolEvent& event) {
    if (event.kind == PoolEventKind::SizeClamped) clamped.fetch_add(1);
  });
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(backend->pool().size(), 8u);
  EXPECT_EQ(clamped.load(), 0);
  EXPECT_EQ(hammer(*backend, 4, 5), 0);
}

TEST_F(VendorProfileTest, UntrustedSessionLimitsAreIgnoredOnlyWhenTheProfileSaysSo) {
  shim_.set("max_rw_sessions", 2);
  auto trusting = make_backend("generic", 8);
  ASSERT_NE(trusting, nullptr);
  EXPECT_EQ(trusting->pool().size(), 2u) << "the spec's reading: clamp to the reported limit";
  trusting.reset();
  auto distrusting = make_backend("opencryptoki", 8);
  ASSERT_NE(distrusting, nullptr);
  EXPECT_EQ(distrusting->pool().size(), 8u);
}

// YubiHSM 2: 16 sessions per device, whatever the token reports. The pool keeps one free for
// the backend's own short-lived sessions (the start-up probe).
TEST_F(VendorProfileTest, YubiHsm2ProfileKeepsThePoolWithinSixteenSessions) {
  shim_.set("max_sessions", 16);
  std::vector<HsmError> diagnostics;
  std::mutex diagnostics_mutex;
  set_diagnostic_handler([&](const HsmError& error) {
    const std::lock_guard lock(diagnostics_mutex);
    diagnostics.push_back(error);
  });
  auto backend = make_backend("yubihsm2", 32);
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(backend->pool().size(), 15u);
  EXPECT_EQ(hammer(*backend, 32, 20), 0);
  EXPECT_EQ(shim_.stats().faults_injected, 0u) << "no CKR_SESSION_COUNT, probe included";
  backend.reset();
  set_diagnostic_handler({});
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics.front().code(), ErrorCode::SessionCount);
  EXPECT_THAT(diagnostics.front().message(), HasSubstr("pool_size 32"));
  EXPECT_THAT(diagnostics.front().message(), HasSubstr("yubihsm2"));
}

TEST_F(VendorProfileTest, WithoutTheYubiHsm2ProfileThePoolRunsOutOfSessions) {
  shim_.set("max_sessions", 16);
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.vendor_profile = "generic";
  config.pool_size = 32;
  EXPECT_THAT(Pkcs11PassthroughBackend::create(std::move(config)),
              HasErrorCode(ErrorCode::SessionCount));
}

// A module that is not thread-safe: with serialize_calls no two calls are ever inside it.
TEST_F(VendorProfileTest, SerializeCallsKeepsSixteenThreadsOutOfEachOther) {
  shim_.add("not_thread_safe=1;C_Encrypt:sleep=2");
  auto backend = make_backend("generic", 16, [](Pkcs11PassthroughConfig& config) {
    config.vendor_quirks.emplace("serialize_calls", true);
  });
  ASSERT_NE(backend, nullptr);
  EXPECT_TRUE(backend->module().serializes_calls());
  EXPECT_EQ(hammer(*backend, 16, 8), 0);
  EXPECT_EQ(shim_.stats().overlaps, 0u);
}

TEST_F(VendorProfileTest, WithoutSerializeCallsTheShimSeesOverlappingCalls) {
  shim_.add("not_thread_safe=1;C_Encrypt:sleep=2");
  auto backend = make_backend("generic", 16, [](Pkcs11PassthroughConfig& config) {
    config.serialize_calls = false;
    config.breaker_threshold = 0;
  });
  ASSERT_NE(backend, nullptr);
  EXPECT_FALSE(backend->module().serializes_calls());
  static_cast<void>(hammer(*backend, 16, 8));
  EXPECT_GT(shim_.stats().overlaps, 0u) << "the quirk mode must be able to bite";
}

// NSS answers CKR_OK to every call on a finalised library. After a recovery whose
// C_Initialize failed, nothing may reach the module until it is initialised again: a blind
// CKR_OK would otherwise return an unwritten buffer as a ciphertext.
TEST_F(VendorProfileTest, CallsAfterAFailedReinitializationNeverTrustABlindOk) {
  shim_.set("ok_after_finalize", 1);
  auto backend =
      make_backend("nss", 1, [](Pkcs11PassthroughConfig& config) { config.breaker_threshold = 0; });
  ASSERT_NE(backend, nullptr);
  const Key key = aes_key();
  ASSERT_TRUE(round_trip(*backend, key, 0));
  // The module is lost (its session and a fresh one say so); bringing it back fails.
  shim_.add("C_EncryptInit:CKR_CRYPTOKI_NOT_INITIALIZED:nth=1");
  shim_.add("C_OpenSession:CKR_CRYPTOKI_NOT_INITIALIZED:nth=1");
  shim_.fail("C_Initialize", CKR_DEVICE_ERROR, 1000);
  const std::vector<std::uint8_t> message{'n', 's', 's'};
  EXPECT_FALSE(backend->aes_gcm_encrypt(key, message, {}).has_value());
  EXPECT_TRUE(backend->module().finalized());
  // The shim now answers CKR_OK to anything but C_Initialize: never a success from that.
  const auto blind = backend->aes_gcm_encrypt(key, message, {});
  EXPECT_FALSE(blind.has_value()) << "a blind CKR_OK was taken for a ciphertext";
  // Once C_Initialize works again, the backend recovers on its own.
  shim_.fail("C_Initialize", CKR_OK, 0);
  EXPECT_TRUE(round_trip(*backend, key, 1));
  EXPECT_FALSE(backend->module().finalized());
}

// AWS CloudHSM writes its own GCM IV into the parameters and refuses the caller's.
TEST_F(VendorProfileTest, CloudHsmGcmEncryptionIsRefusedTypedBeforeTheToken) {
  shim_.set("gcm_token_iv", 1);
  const Key key = aes_key();
  const std::vector<std::uint8_t> message{'i', 'v'};
  auto generic = make_backend("generic", 1);
  ASSERT_NE(generic, nullptr);
  // Without the profile the token refuses our IV: an error, but not one that says why.
  EXPECT_THAT(generic->aes_gcm_encrypt(key, message, {}),
              HasErrorCode(ErrorCode::MechanismParamInvalid));
  shim_.set("gcm_token_iv", 0);
  auto sealed = generic->aes_gcm_encrypt(key, message, {});
  ASSERT_THAT(sealed, IsOk());
  generic.reset();

  shim_.set("gcm_token_iv", 1);
  auto cloudhsm = make_backend("cloudhsm", 1);
  ASSERT_NE(cloudhsm, nullptr);
  const unsigned long inits = shim_.calls("C_EncryptInit");
  const auto refused = cloudhsm->aes_gcm_encrypt(key, message, {});
  EXPECT_THAT(refused, HasErrorCode(ErrorCode::MechanismUnsupported));
  if (!refused) {
    EXPECT_THAT(refused.error().message(), HasSubstr("chooses the IV itself"));
    EXPECT_THAT(refused.error().message(), HasSubstr("cloudhsm"));
  }
  EXPECT_EQ(shim_.calls("C_EncryptInit"), inits) << "refused before any token call";
  // Decryption takes the caller's IV on CloudHSM: it still works.
  auto opened = cloudhsm->aes_gcm_decrypt(key, *sealed, {});
  ASSERT_THAT(opened, IsOk());
  EXPECT_TRUE(std::ranges::equal(opened->expose(), message));
}

// CKM_AES_KEY_WRAP_PAD (0x210A) stands in for RFC 5649 (SoftHSM2 has no CKM_AES_KEY_WRAP_KWP)
// only where the profile says it is RFC 5649: SoftHSM2's is, for inputs that are a multiple of
// 8 bytes (it zero-pads others before wrapping); NSS's is RFC 3394 over PKCS#7; a generic
// module's is unknown. Checked byte for byte against OpenSSL (the software backend).
TEST_F(VendorProfileTest, WrapPadStandsInForRfc5649OnlyWhereTheProfileSaysSo) {
  const Key kek = aes_key();
  const SecretBytes block(std::vector<std::uint8_t>(32, 0x42));
  const SecretBytes odd(std::vector<std::uint8_t>(20, 0x43));
  auto software = make_software_backend();
  auto reference = software->wrap_key(kek, KeyWrapScheme::AesKwp, block);
  auto reference_odd = software->wrap_key(kek, KeyWrapScheme::AesKwp, odd);
  ASSERT_THAT(reference, IsOk());
  ASSERT_THAT(reference_odd, IsOk());

  auto softhsm = make_backend("softhsm2", 1);
  ASSERT_NE(softhsm, nullptr);
  const CapabilityTable& table = softhsm->token_capabilities().table();
  EXPECT_EQ(table.at(wrap_row(KeyWrapScheme::AesKwp, false)).mechanism, CKM_AES_KEY_WRAP_PAD);
  auto wrapped = softhsm->wrap_key(kek, KeyWrapScheme::AesKwp, block);
  ASSERT_THAT(wrapped, IsOk());
  EXPECT_EQ(*wrapped, *reference) << "RFC 5649, byte for byte";
  for (const auto& [blob, secret] :
       {std::pair{&*reference, &block}, std::pair{&*reference_odd, &odd}}) {
    auto unwrapped = softhsm->unwrap_key(kek, KeyWrapScheme::AesKwp, *blob);
    ASSERT_THAT(unwrapped, IsOk());
    EXPECT_TRUE(unwrapped->equals(*secret)) << secret->size() << " bytes";
  }
  const unsigned long creates = shim_.calls("C_CreateObject");
  const unsigned long wraps = shim_.calls("C_WrapKey");
  const auto refused = softhsm->wrap_key(kek, KeyWrapScheme::AesKwp, odd);
  ASSERT_THAT(refused, HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_THAT(refused.error().message(), HasSubstr("multiple of 8"));
  EXPECT_EQ(shim_.calls("C_CreateObject"), creates) << "refused before any token call";
  EXPECT_EQ(shim_.calls("C_WrapKey"), wraps);
  softhsm.reset();

  for (const std::string profile : {"generic", "nss"}) {
    SCOPED_TRACE(profile);
    auto backend = make_backend(profile, 1);
    ASSERT_NE(backend, nullptr);
    const unsigned long wraps_before = shim_.calls("C_WrapKey");
    const unsigned long unwraps_before = shim_.calls("C_UnwrapKey");
    const auto not_wrapped = backend->wrap_key(kek, KeyWrapScheme::AesKwp, block);
    ASSERT_THAT(not_wrapped, HasErrorCode(ErrorCode::MechanismUnsupported));
    EXPECT_THAT(not_wrapped.error().message(), HasSubstr("CKM_AES_KEY_WRAP_KWP"));
    EXPECT_THAT(not_wrapped.error().message(), HasSubstr("aes_key_wrap_pad"));
    EXPECT_THAT(backend->unwrap_key(kek, KeyWrapScheme::AesKwp, *reference),
                HasErrorCode(ErrorCode::MechanismUnsupported));
    EXPECT_EQ(shim_.calls("C_WrapKey"), wraps_before);
    EXPECT_EQ(shim_.calls("C_UnwrapKey"), unwraps_before);
  }

  // The switch alone decides: a generic profile told what SoftHSM2's 0x210A means.
  auto told = make_backend("generic", 1, [](Pkcs11PassthroughConfig& config) {
    config.vendor_quirks.emplace("aes_key_wrap_pad", std::string("rfc5649_block_multiples"));
  });
  ASSERT_NE(told, nullptr);
  EXPECT_THAT(told->wrap_key(kek, KeyWrapScheme::AesKwp, block), IsOk());
}

// Luna and CloudHSM refuse C_CreateObject of private keys: they come in by unwrap (the host
// wraps the PKCS#8 under a one-time AES key that reaches the token under a token-generated RSA
// transport key, docs/import-by-unwrap.md), where the token has an RFC 5649 unwrap. SoftHSM2
// has one only as CKM_AES_KEY_WRAP_PAD, which these profiles do not know to be RFC 5649; told
// so ([vendor_quirks] aes_key_wrap_pad), and that its OAEP is SHA-1 only, the import works.
class PrivateKeyCreateTest : public ::testing::TestWithParam<std::string> {
 protected:
  FaultShim shim_;
  const std::vector<std::uint8_t> message_{'l', 'u', 'n', 'a'};
};

TEST_P(PrivateKeyCreateTest, WithoutRfc5649UnwrapImportingIsMechanismUnsupportedNamingWhy) {
  shim_.set("refuse_private_key_create", 1);
  auto backend = make_backend(GetParam(), 1);
  ASSERT_NE(backend, nullptr);
  auto key = Key::ec_private(EcCurve::P256, std::vector<std::uint8_t>(32, 0x11));
  ASSERT_THAT(key, IsOk());
  const unsigned long creates = shim_.calls("C_CreateObject");
  const auto signature =
      backend->sign(*key, SignScheme::EcdsaP256Sha256, message_, SignatureEncoding::Raw);
  EXPECT_THAT(signature, HasErrorCode(ErrorCode::MechanismUnsupported));
  if (!signature) {
    EXPECT_THAT(signature.error().message(), HasSubstr("by unwrap"));
    EXPECT_THAT(signature.error().message(), HasSubstr("RFC 5649"));
    EXPECT_THAT(signature.error().message(), HasSubstr("CKM_AES_KEY_WRAP_KWP"));
  }
  ResidentKeySpec spec;
  spec.algorithm = KeyAlgorithm::EcP256;
  spec.label = "vendor-profile-private-" + GetParam();
  spec.id = {0x7e, 0x01};
  EXPECT_THAT(backend->import_resident_key(*key, spec),
              HasErrorCode(ErrorCode::MechanismUnsupported));
  EXPECT_EQ(shim_.calls("C_CreateObject"), creates) << "refused before any token call";
  // Keys the token generates itself are unaffected.
  auto pair = backend->generate_resident_key(spec);
  ASSERT_THAT(pair, IsOk());
  auto signed_on_token =
      backend->sign(*pair, SignScheme::EcdsaP256Sha256, message_, SignatureEncoding::Raw);
  ASSERT_THAT(signed_on_token, IsOk());
  KeyRef ref;
  ref.label = spec.label;
  EXPECT_THAT(backend->destroy_key(ref), IsOk());
}

TEST_P(PrivateKeyCreateTest, PrivateKeysGoInByUnwrapWhereTheTokenHasRfc5649) {
  shim_.set("refuse_private_key_create", 1);
  auto backend = make_backend(GetParam(), 1, [](Pkcs11PassthroughConfig& config) {
    config.vendor_quirks.emplace("aes_key_wrap_pad", std::string("rfc5649_block_multiples"));
    config.vendor_quirks.emplace("oaep_sha1_only", true);
  });
  ASSERT_NE(backend, nullptr);
  auto software = make_software_backend();
  auto ec = Key::ec_private(EcCurve::P256, std::vector<std::uint8_t>(32, 0x11));
  ASSERT_THAT(ec, IsOk());
  auto rsa = software->generate_key(KeyAlgorithm::Rsa2048);
  ASSERT_THAT(rsa, IsOk());
  const unsigned long unwraps = shim_.calls("C_UnwrapKey");
  for (const auto& [key, scheme] :
       {std::pair{&*ec, SignScheme::EcdsaP256Sha256}, std::pair{&*rsa, SignScheme::RsaPssSha256}}) {
    SCOPED_TRACE(std::string(scheme_name(scheme)));
    auto signature = backend->sign(*key, scheme, message_, SignatureEncoding::Raw);
    ASSERT_THAT(signature, IsOk());
    auto public_key = key->public_key();
    ASSERT_THAT(public_key, IsOk());
    EXPECT_EQ(software->verify(*public_key, scheme, message_, *signature, SignatureEncoding::Raw),
              VerifyOutcome::Valid);
  }
  // Two per key: the one-time key under the transport key, the private key under it.
  EXPECT_EQ(shim_.calls("C_UnwrapKey"), unwraps + 4) << "two unwraps per imported private key";

  // A resident private key the same way, with its public half beside it.
  ResidentKeySpec spec;
  spec.algorithm = KeyAlgorithm::EcP256;
  spec.label = "vendor-profile-unwrapped-" + GetParam();
  spec.id = {0x7e, 0x02};
  auto resident = backend->import_resident_key(*ec, spec);
  ASSERT_THAT(resident, IsOk());
  auto signed_resident =
      backend->sign(*resident, SignScheme::EcdsaP256Sha256, message_, SignatureEncoding::Raw);
  ASSERT_THAT(signed_resident, IsOk());
  EXPECT_THAT(backend->verify(*resident, SignScheme::EcdsaP256Sha256, message_, *signed_resident,
                              SignatureEncoding::Raw),
              IsOk());
  KeyRef ref;
  ref.label = spec.label;
  EXPECT_THAT(backend->destroy_key(ref), IsOk());
}

INSTANTIATE_TEST_SUITE_P(Vendors, PrivateKeyCreateTest, ::testing::Values("luna", "cloudhsm"));

TEST(PrivateKeyCreateWithoutProfile, TheTokensRefusalIsTypedNeverInternal) {
  FaultShim shim;
  shim.set("refuse_private_key_create", 1);
  // import_method = "create": the refusal stands (auto would switch to unwrap: import_method_test).
  auto backend = make_backend("generic", 1, [](Pkcs11PassthroughConfig& config) {
    config.import_method = ImportMethod::Create;
  });
  ASSERT_NE(backend, nullptr);
  auto key = Key::ec_private(EcCurve::P256, std::vector<std::uint8_t>(32, 0x11));
  ASSERT_THAT(key, IsOk());
  const std::vector<std::uint8_t> message{'x'};
  const auto signature =
      backend->sign(*key, SignScheme::EcdsaP256Sha256, message, SignatureEncoding::Raw);
  ASSERT_FALSE(signature.has_value());
  EXPECT_NE(signature.error().code(), ErrorCode::Internal);
  EXPECT_EQ(signature.error().rv(), CKR_TEMPLATE_INCONSISTENT);
  EXPECT_EQ(signature.error().function(), "C_CreateObject");
}

}  // namespace
}  // namespace craton::hsm::pkcs11
