// SPDX-License-Identifier: Apache-2.0
// A misbehaving vendor module (the fault shim over SoftHSM2) at every response the backend
// reads: output lengths past the buffer, CKR_OK with nothing written, attribute lengths of
// CK_UNAVAILABLE_INFORMATION with CKR_OK, object counts past the array, garbage in the info
// strings. Each answer is a typed error naming the function (never Internal, never a result
// made of the lie, never a read past a buffer: this binary runs under ASan in the asan preset),
// the next operation works, and no session or object is left behind.
#include <craton/hsm/config.h>
#include <craton/hsm/pkcs11_info.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "backends/pkcs11/resident_test_util.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

// The host-side keys every case uses, made once (RSA generation is slow) on the first
// fixture's backend before any fault is armed.
struct Keys {
  Key aes;
  Key hmac;
  Key rsa;
  Key ec;
  Key ed25519;
  Key ec_peer;
};

std::vector<std::uint8_t> bytes_of(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(seed + i * 7);
  return bytes;
}

const std::vector<std::uint8_t> kMessage = bytes_of(40, 0x11);
const std::vector<std::uint8_t> kIv = bytes_of(16, 0x21);
const std::vector<std::uint8_t> kAad = bytes_of(5, 0x31);
// What text_field makes of the shim's garbage strings: 07 ff 1b 7f, then a NUL.
const std::string kJunk = "????";

class MisbehavingVendorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = make_backend();
    ASSERT_NE(backend_, nullptr);
    if (!keys_) {
      auto aes = backend_->generate_key(KeyAlgorithm::Aes256);
      auto hmac = backend_->generate_key(KeyAlgorithm::Hmac256);
      auto rsa = backend_->generate_key(KeyAlgorithm::Rsa2048);
      auto ec = backend_->generate_key(KeyAlgorithm::EcP256);
      auto ed = backend_->generate_key(KeyAlgorithm::Ed25519);
      auto peer = backend_->generate_key(KeyAlgorithm::EcP256);
      ASSERT_THAT(aes, IsOk());
      ASSERT_THAT(hmac, IsOk());
      ASSERT_THAT(rsa, IsOk());
      ASSERT_THAT(ec, IsOk());
      ASSERT_THAT(ed, IsOk());
      ASSERT_THAT(peer, IsOk());
      auto peer_public = peer->public_key();
      ASSERT_THAT(peer_public, IsOk());
      keys_.emplace(Keys{*aes, *hmac, *rsa, *ec, *ed, *peer_public});
    }
  }

  // Nothing left behind: after the backend is gone no session it opened is alive, and every
  // object created through the shim (session objects, resident keys the test destroyed, or a
  // failed generation's objects) is gone too.
  void TearDown() override {
    shim_.reset();
    backend_.reset();
    const CratonFaultStats stats = shim_.stats();
    EXPECT_EQ(stats.live_sessions, 0U) << "a session leaked";
    EXPECT_EQ(stats.live_objects, 0U) << "an object leaked";
  }

  static std::unique_ptr<Pkcs11PassthroughBackend> make_backend() {
    Pkcs11PassthroughConfig config = fault_shim_config();
    config.pool_size = 1;  // every operation on the session the misbehaviour was seen on
    auto created = Pkcs11PassthroughBackend::create(std::move(config));
    EXPECT_THAT(created, IsOk());
    return created ? std::move(*created) : nullptr;
  }

  // `result` is the typed failure `code` from `function`, caused by an injected answer.
  template <typename T>
  void expect_vendor_failure(const Result<T>& result, const char* function,
                             ErrorCode code = ErrorCode::Pkcs11Failure) {
    ASSERT_THAT(result, HasErrorCode(code));
    if (code == ErrorCode::Pkcs11Failure) {
      EXPECT_EQ(result.error().function(), function) << result.error();
    }
    EXPECT_GE(shim_.stats().faults_injected, 1U) << "the misbehaviour never fired";
  }

  static const Keys& keys() { return *keys_; }

  FaultShim shim_;  // before the backend: the backend's module loads the shim it set up
  std::unique_ptr<Pkcs11PassthroughBackend> backend_;
  static inline std::optional<Keys> keys_;
};

// ---- Output buffers: every operation that reads one -----------------------------------------

using Operation = std::function<Result<void>(Pkcs11PassthroughBackend&, const Keys&)>;

template <typename T>
Result<void> discard(Result<T> result) {
  if (!result) return std::unexpected(std::move(result).error());
  return {};
}

struct OutputCase {
  const char* name;
  const char* function;  // the call whose output length lies
  Operation run;
  ErrorCode code = ErrorCode::Pkcs11Failure;
};

Operation sign_with(Key Keys::*key, SignScheme scheme) {
  return [key, scheme](Pkcs11PassthroughBackend& backend, const Keys& keys) {
    return discard(backend.sign(keys.*key, scheme, kMessage, SignatureEncoding::Raw));
  };
}

// Each operation's answer is known from its inputs, so a lying length is never the truth: the
// AES-CBC message is longer than a block (its plaintext cannot be empty), the GCM message is
// not empty. RSA-OAEP is not here: SoftHSM2 performs it with SHA-1 only, which the backend
// does not offer (docs/vendors.md), so it cannot be driven on this token.
std::vector<OutputCase> output_cases() {
  return {
      {"SignRsaPkcs1", "C_Sign", sign_with(&Keys::rsa, SignScheme::RsaPkcs1v15Sha256)},
      {"SignRsaPss", "C_Sign", sign_with(&Keys::rsa, SignScheme::RsaPssSha384)},
      {"SignEcdsa", "C_Sign", sign_with(&Keys::ec, SignScheme::EcdsaP256Sha256)},
      {"SignEd25519", "C_Sign", sign_with(&Keys::ed25519, SignScheme::Ed25519)},
      {"SignDigestEcdsa", "C_Sign",
       [](Pkcs11PassthroughBackend& backend, const Keys& keys) {
         return discard(backend.sign_digest(keys.ec, SignScheme::EcdsaP256Sha256,
                                            bytes_of(32, 0x41), SignatureEncoding::Der));
       }},
      {"Hmac", "C_Sign",
       [](Pkcs11PassthroughBackend& backend, const Keys& keys) {
         return discard(backend.hmac(keys.hmac, HashAlg::Sha256, kMessage));
       }},
      {"HmacVerify", "C_Sign",
       [](Pkcs11PassthroughBackend& backend, const Keys& keys) {
         return discard(backend.hmac_verify(keys.hmac, HashAlg::Sha256, kMessage,
                                            std::vector<std::uint8_t>(32, 0)));
       }},
      {"GcmEncrypt", "C_Encrypt",
       [](Pkcs11PassthroughBackend& backend, const Keys& keys) {
         return discard(backend.aes_gcm_encrypt(keys.aes, kMessage, kAad));
       }},
      {"CbcEncrypt", "C_Encrypt",
       [](Pkcs11PassthroughBackend& backend, const Keys& keys) {
         return discard(backend.aes_cbc_encrypt(keys.aes, kIv, kMessage));
       }},
      {"Ctr", "C_Encrypt",
       [](Pkcs11PassthroughBackend& backend, const Keys& keys) {
         return discard(backend.aes_ctr(keys.aes, kIv, kMessage));
       }},
      {"WrapKey", "C_WrapKey",
       [](Pkcs11PassthroughBackend& backend, const Keys& keys) {
         return discard(
             backend.wrap_key(keys.aes, KeyWrapScheme::AesKw, SecretBytes(bytes_of(32, 0x51))));
       }},
      {"Digest", "C_Digest",
       [](Pkcs11PassthroughBackend& backend, const Keys&) {
         return discard(backend.digest(HashAlg::Sha256, kMessage));
       }},
      {"DigestStream", "C_DigestFinal",
       [](Pkcs11PassthroughBackend& backend, const Keys&) -> Result<void> {
         CRATON_ASSIGN_OR_RETURN(auto stream, backend.digest_stream(HashAlg::Sha384));
         CRATON_RETURN_IF_ERROR(stream->update(kMessage));
         return discard(stream->finish());
       }},
  };
}

// Decryptions need a ciphertext made before the fault is armed.
struct DecryptCase {
  const char* name;
  std::function<Result<Bytes>(Pkcs11PassthroughBackend&, const Keys&)> seal;
  std::function<Result<void>(Pkcs11PassthroughBackend&, const Keys&, ByteView)> open;
  ErrorCode code = ErrorCode::Pkcs11Failure;
};

std::vector<DecryptCase> decrypt_cases() {
  return {
      {"GcmDecrypt",
       [](Pkcs11PassthroughBackend& b, const Keys& k) {
         return b.aes_gcm_encrypt(k.aes, kMessage, kAad);
       },
       [](Pkcs11PassthroughBackend& b, const Keys& k, ByteView sealed) {
         return discard(b.aes_gcm_decrypt(k.aes, sealed, kAad));
       }},
      {"CbcDecrypt",
       [](Pkcs11PassthroughBackend& b, const Keys& k) {
         return b.aes_cbc_encrypt(k.aes, kIv, kMessage);
       },
       [](Pkcs11PassthroughBackend& b, const Keys& k, ByteView sealed) {
         return discard(b.aes_cbc_decrypt(k.aes, kIv, sealed));
       }},
  };
}

TEST_F(MisbehavingVendorTest, AnOutputLengthPastTheBufferIsNeverTrusted) {
  for (const OutputCase& c : output_cases()) {
    SCOPED_TRACE(c.name);
    shim_.reset();
    shim_.add(std::string(c.function) + ":oversize_output");
    expect_vendor_failure(c.run(*backend_, keys()), c.function, c.code);
    shim_.reset();
    EXPECT_THAT(c.run(*backend_, keys()), IsOk()) << "the next operation works";
  }
}

TEST_F(MisbehavingVendorTest, OkWithNothingWrittenIsAFailureNotAnEmptyResult) {
  for (const OutputCase& c : output_cases()) {
    SCOPED_TRACE(c.name);
    shim_.reset();
    shim_.add(std::string(c.function) + ":empty_output");
    expect_vendor_failure(c.run(*backend_, keys()), c.function, c.code);
    shim_.reset();
    EXPECT_THAT(c.run(*backend_, keys()), IsOk()) << "the next operation works";
  }
}

TEST_F(MisbehavingVendorTest, DecryptionsRefuseBothLies) {
  for (const DecryptCase& c : decrypt_cases()) {
    for (const char* mode : {":oversize_output", ":empty_output"}) {
      SCOPED_TRACE(std::string(c.name) + mode);
      shim_.reset();
      auto sealed = c.seal(*backend_, keys());
      ASSERT_THAT(sealed, IsOk());
      shim_.add(std::string("C_Decrypt") + mode);
      expect_vendor_failure(c.open(*backend_, keys(), *sealed), "C_Decrypt", c.code);
      shim_.reset();
      EXPECT_THAT(c.open(*backend_, keys(), *sealed), IsOk()) << "the next operation works";
    }
  }
}

// Verification and random bytes read no length: the lies cannot reach them, and a lie cannot
// turn a bad signature into a good one.
TEST_F(MisbehavingVendorTest, VerifyAndRandomAreUnaffected) {
  auto signature =
      backend_->sign(keys().ec, SignScheme::EcdsaP256Sha256, kMessage, SignatureEncoding::Raw);
  ASSERT_THAT(signature, IsOk());
  shim_.add("*:oversize_output");
  auto valid = backend_->verify(keys().ec, SignScheme::EcdsaP256Sha256, kMessage, *signature,
                                SignatureEncoding::Raw);
  ASSERT_THAT(valid, IsOk());
  EXPECT_EQ(*valid, VerifyOutcome::Valid);
  (*signature)[10] ^= 0x01;
  auto invalid = backend_->verify(keys().ec, SignScheme::EcdsaP256Sha256, kMessage, *signature,
                                  SignatureEncoding::Raw);
  ASSERT_THAT(invalid, IsOk());
  EXPECT_EQ(*invalid, VerifyOutcome::Invalid);
  auto random = backend_->random(48);
  ASSERT_THAT(random, IsOk());
  EXPECT_EQ(random->size(), 48U);
}

// ---- Attribute values read back -------------------------------------------------------------

struct AttributeCase {
  const char* name;
  Operation run;
};

std::vector<AttributeCase> attribute_cases() {
  return {
      {"Ecdh", [](Pkcs11PassthroughBackend& backend,
                  const Keys& keys) { return discard(backend.ecdh(keys.ec, keys.ec_peer)); }},
      {"GenerateAes",
       [](Pkcs11PassthroughBackend& backend, const Keys&) {
         return discard(backend.generate_key(KeyAlgorithm::Aes128));
       }},
      {"GenerateEc",
       [](Pkcs11PassthroughBackend& backend, const Keys&) {
         return discard(backend.generate_key(KeyAlgorithm::EcP256));
       }},
      {"GenerateEd25519",
       [](Pkcs11PassthroughBackend& backend, const Keys&) {
         return discard(backend.generate_key(KeyAlgorithm::Ed25519));
       }},
  };
}

TEST_F(MisbehavingVendorTest, UnavailableAttributeLengthsWithOkNameTheAttribute) {
  for (const AttributeCase& c : attribute_cases()) {
    SCOPED_TRACE(c.name);
    shim_.reset();
    shim_.add("C_GetAttributeValue:unavailable_lengths");
    const Result<void> result = c.run(*backend_, keys());
    expect_vendor_failure(result, "C_GetAttributeValue");
    EXPECT_THAT(result.error().message(), ::testing::HasSubstr("CKA_"));
    EXPECT_THAT(result.error().message(), ::testing::HasSubstr("CK_UNAVAILABLE_INFORMATION"));
    shim_.reset();
    EXPECT_THAT(c.run(*backend_, keys()), IsOk()) << "the next operation works";
  }
}

TEST_F(MisbehavingVendorTest, AnAttributeLengthPastTheBufferIsNeverTrusted) {
  for (const AttributeCase& c : attribute_cases()) {
    SCOPED_TRACE(c.name);
    shim_.reset();
    shim_.add("C_GetAttributeValue:oversize_output");
    expect_vendor_failure(c.run(*backend_, keys()), "C_GetAttributeValue");
    shim_.reset();
    EXPECT_THAT(c.run(*backend_, keys()), IsOk()) << "the next operation works";
  }
}

TEST_F(MisbehavingVendorTest, UnwrapReadsBackNoLie) {
  const SecretBytes payload(bytes_of(32, 0x61));
  auto wrapped = backend_->wrap_key(keys().aes, KeyWrapScheme::AesKw, payload);
  ASSERT_THAT(wrapped, IsOk());
  for (const char* mode : {"unavailable_lengths", "oversize_output"}) {
    SCOPED_TRACE(mode);
    shim_.reset();
    shim_.add(std::string("C_GetAttributeValue:") + mode);
    expect_vendor_failure(backend_->unwrap_key(keys().aes, KeyWrapScheme::AesKw, *wrapped),
                          "C_GetAttributeValue");
    shim_.reset();
    auto unwrapped = backend_->unwrap_key(keys().aes, KeyWrapScheme::AesKw, *wrapped);
    ASSERT_THAT(unwrapped, IsOk());
    EXPECT_TRUE(unwrapped->equals(payload));
  }
}

TEST_F(MisbehavingVendorTest, RsaGenerationReadsBackNoLie) {
  for (const char* mode : {"unavailable_lengths", "oversize_output"}) {
    SCOPED_TRACE(mode);
    shim_.reset();
    shim_.add(std::string("C_GetAttributeValue:") + mode);
    expect_vendor_failure(backend_->generate_key(KeyAlgorithm::Rsa2048), "C_GetAttributeValue");
  }
}

// ---- Resident keys: lookup, export, generation ----------------------------------------------

class MisbehavingResidentTest : public MisbehavingVendorTest {
 protected:
  void TearDown() override {
    shim_.reset();
    for (const std::string& label : labels_) {
      if (backend_) {
        EXPECT_THAT(backend_->destroy_key(by_label(label)), IsOk()) << label;
      }
    }
    MisbehavingVendorTest::TearDown();
  }
  Result<Key> generate(KeyAlgorithm algorithm, const std::string& name) {
    const ResidentKeySpec spec = unique_spec(algorithm, "misbehaving-" + name);
    auto key = backend_->generate_resident_key(spec);
    if (key) labels_.push_back(spec.label);
    return key;
  }
  std::vector<std::string> labels_;
};

TEST_F(MisbehavingResidentTest, LookupAndExportRefuseEveryLie) {
  auto ec = generate(KeyAlgorithm::EcP256, "ec-lookup");
  auto aes = generate(KeyAlgorithm::Aes256, "aes-lookup");
  auto rsa = generate(KeyAlgorithm::Rsa2048, "rsa-lookup");
  ASSERT_THAT(ec, IsOk());
  ASSERT_THAT(aes, IsOk());
  ASSERT_THAT(rsa, IsOk());
  struct Lie {
    const char* spec;
    const char* function;
  };
  for (const Lie lie : {Lie{"C_GetAttributeValue:unavailable_lengths", "C_GetAttributeValue"},
                        Lie{"C_GetAttributeValue:oversize_output", "C_GetAttributeValue"},
                        Lie{"C_FindObjects:oversize_output", "C_FindObjects"}}) {
    for (const std::string& label : labels_) {
      SCOPED_TRACE(std::string(lie.spec) + " " + label);
      shim_.reset();
      shim_.add(lie.spec);
      expect_vendor_failure(backend_->find_key(by_label(label)), lie.function);
      shim_.reset();
      shim_.add(lie.spec);
      expect_vendor_failure(backend_->list_keys(), lie.function);
      shim_.reset();
      shim_.add(lie.spec);
      ObjectQuery query;
      query.label = label;
      query.attributes = true;
      expect_vendor_failure(backend_->list_objects(query), lie.function);
      if (label.find("aes") == std::string::npos) {
        shim_.reset();
        shim_.add(lie.spec);
        expect_vendor_failure(backend_->export_public_key(by_label(label)), lie.function);
      }
      shim_.reset();
      EXPECT_THAT(backend_->find_key(by_label(label)), IsOk()) << "the next lookup works";
    }
  }
}

// An AES key is told from a replacement by a check value the token computes (C_Encrypt of a
// zero block); an EC key by a signature of a challenge (C_Sign). Neither answer is taken
// beyond the buffer, or empty.
TEST_F(MisbehavingResidentTest, ProofsOfIdentityRefuseLyingOutputs) {
  auto ec = generate(KeyAlgorithm::EcP256, "ec-proof");
  auto aes = generate(KeyAlgorithm::Aes256, "aes-proof");
  ASSERT_THAT(ec, IsOk());
  ASSERT_THAT(aes, IsOk());
  for (const char* mode : {":oversize_output:nth=1", ":empty_output:nth=1"}) {
    SCOPED_TRACE(mode);
    // A fresh backend has no handle cached: the first use finds the object and proves it.
    shim_.reset();
    backend_ = make_backend();
    ASSERT_NE(backend_, nullptr);
    shim_.add(std::string("C_Encrypt") + mode);
    expect_vendor_failure(backend_->aes_gcm_encrypt(*aes, kMessage, kAad), "C_Encrypt");
    shim_.add(std::string("C_Sign") + mode);
    expect_vendor_failure(
        backend_->sign(*ec, SignScheme::EcdsaP256Sha256, kMessage, SignatureEncoding::Raw),
        "C_Sign");
    shim_.reset();
    EXPECT_THAT(backend_->aes_gcm_encrypt(*aes, kMessage, kAad), IsOk());
    EXPECT_THAT(backend_->sign(*ec, SignScheme::EcdsaP256Sha256, kMessage, SignatureEncoding::Raw),
                IsOk());
  }
}

TEST_F(MisbehavingResidentTest, GenerationWhoseReadBackLiesLeavesNothingBehind) {
  for (const char* mode : {"unavailable_lengths", "oversize_output"}) {
    for (const KeyAlgorithm algorithm : {KeyAlgorithm::Aes256, KeyAlgorithm::EcP256}) {
      SCOPED_TRACE(mode);
      shim_.reset();
      shim_.add(std::string("C_GetAttributeValue:") + mode);
      const ResidentKeySpec spec =
          unique_spec(algorithm, std::string("misbehaving-gen-") + mode +
                                     (algorithm == KeyAlgorithm::Aes256 ? "-aes" : "-ec"));
      const auto key = backend_->generate_resident_key(spec);
      ASSERT_FALSE(key.has_value()) << "a key whose read-back lied";
      EXPECT_EQ(key.error().code(), ErrorCode::Pkcs11Failure) << key.error();
      EXPECT_EQ(key.error().function(), "C_GetAttributeValue") << key.error();
      const CratonFaultStats stats = shim_.stats();
      EXPECT_GE(stats.objects_created, 1U) << "the key was generated before its read-back lied";
      EXPECT_EQ(stats.live_objects, 0U) << "and destroyed again";
      shim_.reset();
      EXPECT_THAT(backend_->find_key(by_label(spec.label)), HasErrorCode(ErrorCode::KeyNotFound))
          << "the generated objects were destroyed";
    }
  }
}

// ---- Info strings ---------------------------------------------------------------------------

// Printable UTF-8 with no padding left: what text_field promises.
void expect_safe_text(const std::string& text, std::size_t width) {
  SCOPED_TRACE(::testing::PrintToString(text));
  EXPECT_LE(text.size(), width);
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    EXPECT_TRUE(byte >= 0x20 && byte != 0x7f) << "byte " << static_cast<int>(byte);
    EXPECT_LT(byte, 0x80) << "the garbage has no valid multi-byte character to keep";
  }
  if (!text.empty()) {
    EXPECT_NE(text.back(), ' ');
  }
}

Pkcs11PassthroughConfig listing_config() {
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.token_label.reset();  // list every token, select none
  return config;
}

TEST_F(MisbehavingVendorTest, GarbageInModuleAndTokenInfoBecomesSafeText) {
  shim_.add("C_GetInfo:garbage_strings;C_GetTokenInfo:garbage_strings");
  auto info = describe_pkcs11_module(listing_config());
  ASSERT_THAT(info, IsOk());
  EXPECT_GE(shim_.stats().faults_injected, 2U);
  // The shim's junk: 0x07 0xff 0x1b 0x7f, then a NUL mid-string: four replaced bytes, and the
  // text ends at the NUL.
  EXPECT_EQ(info->library.manufacturer, kJunk);
  EXPECT_EQ(info->library.description, kJunk);
  expect_safe_text(info->library.manufacturer, 32);
  ASSERT_FALSE(info->tokens.empty());
  for (const Pkcs11TokenInfo& token : info->tokens) {
    EXPECT_EQ(token.label, kJunk);
    expect_safe_text(token.label, 32);
    expect_safe_text(token.manufacturer, 32);
    expect_safe_text(token.model, 16);
    expect_safe_text(token.serial, 16);
  }
  shim_.reset();
  auto clean = describe_pkcs11_module(listing_config());
  ASSERT_THAT(clean, IsOk());
  EXPECT_EQ(clean->library.manufacturer, "SoftHSM");
}

TEST_F(MisbehavingVendorTest, GarbageTokenInfoNeverSelectsAToken) {
  backend_.reset();
  shim_.add("C_GetTokenInfo:garbage_strings");
  // Selected by label: no token has the configured one any more.
  auto by_label = Pkcs11PassthroughBackend::create(fault_shim_config());
  ASSERT_THAT(by_label, HasErrorCode(ErrorCode::TokenNotFound));
  EXPECT_THAT(by_label.error().message(), ::testing::HasSubstr("label '" + kJunk + "'"));
  // Selected by slot: it works, and the token's names are safe text.
  Pkcs11PassthroughConfig config = listing_config();
  config.slot_id = 0;
  shim_.reset();
  auto clean = describe_pkcs11_module(listing_config());
  ASSERT_THAT(clean, IsOk());
  ASSERT_FALSE(clean->tokens.empty());
  config.slot_id = clean->tokens.front().slot_id;
  shim_.add(
      "C_GetTokenInfo:garbage_strings;C_GetSlotInfo:garbage_strings;C_GetInfo:"
      "garbage_strings");
  auto by_slot = Pkcs11PassthroughBackend::create(std::move(config));
  ASSERT_THAT(by_slot, IsOk());
  EXPECT_EQ((*by_slot)->name(), "pkcs11:" + kJunk);
  auto location = (*by_slot)->describe_location();
  ASSERT_THAT(location, IsOk());
  ASSERT_TRUE(location->token.has_value());
  EXPECT_EQ(*location->token, kJunk);
  shim_.reset();
  EXPECT_THAT((*by_slot)->digest(HashAlg::Sha256, kMessage), IsOk());
}

}  // namespace
}  // namespace craton::hsm::pkcs11
