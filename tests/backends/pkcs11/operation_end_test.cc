// SPDX-License-Identifier: Apache-2.0
// Every operation family, failed between its *Init and the end of its final call (through the
// fault shim, where SoftHSM2 would not fail by itself), leaves the one pooled session usable:
// the next operation on it succeeds, after exactly one rebuild.
#include <craton/hsm/software_backend.h>

#include <functional>

#include <gtest/gtest.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "support/fault_shim.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::fault_shim_config;
using ::craton::hsm::testing::FaultShim;
using ::craton::hsm::testing::IsOk;

std::unique_ptr<Pkcs11PassthroughBackend> make_backend() {
  Pkcs11PassthroughConfig config = fault_shim_config();
  config.pool_size = 1;  // one session: "the same session" is certain
  auto backend = Pkcs11PassthroughBackend::create(std::move(config));
  EXPECT_THAT(backend, IsOk());
  return backend ? std::move(*backend) : nullptr;
}

// Keys made once, in software, and imported by each backend on first use.
struct Keys {
  Key aes;
  Key ec;
  Key rsa;
  Key hmac;
};

const Keys& keys() {
  static const Keys made = [] {
    const auto software = make_software_backend();
    return Keys{software->generate_key(KeyAlgorithm::Aes256).value(),
                software->generate_key(KeyAlgorithm::EcP256).value(),
                software->generate_key(KeyAlgorithm::Rsa2048).value(),
                software->generate_key(KeyAlgorithm::Hmac256).value()};
  }();
  return made;
}

const std::vector<std::uint8_t> kMessage(100, 0x42);
const std::vector<std::uint8_t> kIv(16, 0x07);

// Whether `result` succeeded, whatever its value type.
template <typename T>
Result<void> done(const Result<T>& result) {
  if (result) return {};
  return std::unexpected(result.error());
}

struct Case {
  const char* name;
  const char* final_call;  // the C_ function the shim fails after its *Init succeeded
  std::function<Result<void>(CryptoBackend&)> run;
};

// RSA-OAEP is left out: SoftHSM2 performs it with SHA-1 only, which the backend refuses.
std::vector<Case> cases() {
  const Keys& k = keys();
  const Bytes sealed = make_software_backend()->aes_gcm_encrypt(k.aes, kMessage, {}).value();
  const Bytes cbc = make_software_backend()->aes_cbc_encrypt(k.aes, kIv, kMessage).value();
  const Bytes signature =
      make_software_backend()->sign(k.ec, SignScheme::EcdsaP256Sha256, kMessage).value();
  return {
      {"ECDSA sign", "C_Sign",
       [&k](CryptoBackend& b) {
         return done(b.sign(k.ec, SignScheme::EcdsaP256Sha256, kMessage));
       }},
      {"RSA-PSS sign", "C_Sign",
       [&k](CryptoBackend& b) { return done(b.sign(k.rsa, SignScheme::RsaPssSha256, kMessage)); }},
      {"ECDSA verify", "C_Verify",
       [&k, signature](CryptoBackend& b) -> Result<void> {
         CRATON_ASSIGN_OR_RETURN(const VerifyOutcome outcome,
                                 b.verify(k.ec, SignScheme::EcdsaP256Sha256, kMessage, signature));
         if (outcome == VerifyOutcome::Valid) return {};
         return fail(ErrorCode::Internal, "a valid signature did not verify");
       }},
      {"HMAC", "C_Sign",
       [&k](CryptoBackend& b) { return done(b.hmac(k.hmac, HashAlg::Sha256, kMessage)); }},
      {"digest", "C_Digest",
       [](CryptoBackend& b) { return done(b.digest(HashAlg::Sha256, kMessage)); }},
      {"AES-GCM encrypt", "C_Encrypt",
       [&k](CryptoBackend& b) { return done(b.aes_gcm_encrypt(k.aes, kMessage, {})); }},
      {"AES-GCM decrypt", "C_Decrypt",
       [&k, sealed](CryptoBackend& b) { return done(b.aes_gcm_decrypt(k.aes, sealed, {})); }},
      {"AES-CBC encrypt", "C_Encrypt",
       [&k](CryptoBackend& b) { return done(b.aes_cbc_encrypt(k.aes, kIv, kMessage)); }},
      {"AES-CBC decrypt", "C_Decrypt",
       [&k, cbc](CryptoBackend& b) { return done(b.aes_cbc_decrypt(k.aes, kIv, cbc)); }},
      {"AES-CTR", "C_Encrypt",
       [&k](CryptoBackend& b) { return done(b.aes_ctr(k.aes, kIv, kMessage)); }},
  };
}

// Fails each operation's final call once with `rv` (the shim answers without asking SoftHSM2,
// so the token's operation stays active), then expects the next operation to succeed.
void expect_recovery_from(CK_RV rv) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    FaultShim shim;
    auto backend = make_backend();
    ASSERT_NE(backend, nullptr);
    ASSERT_THAT(c.run(*backend), IsOk());  // imports the key: nothing below is first-use work
    const PoolCounters before = backend->pool().counters();

    shim.fail(c.final_call, rv, 1);
    EXPECT_FALSE(c.run(*backend).has_value());
    EXPECT_THAT(c.run(*backend), IsOk()) << "the session was left with an operation active";
    EXPECT_THAT(c.run(*backend), IsOk());
    const PoolCounters after = backend->pool().counters();
    EXPECT_EQ(after.sessions_rebuilt, before.sessions_rebuilt + 1);
    // Either the lease knew the operation was left active, or the token's
    // CKR_OPERATION_ACTIVE at the next *Init told (and the operation was retried).
    EXPECT_EQ(
        after.abandoned_operations - before.abandoned_operations + after.retries - before.retries,
        1u);
  }
}

// CKR_BUFFER_TOO_SMALL leaves the operation active by the spec (v2.40 §5.2).
TEST(OperationEndTest, AnUnansweredBufferTooSmallLeavesTheSessionUsable) {
  expect_recovery_from(CKR_BUFFER_TOO_SMALL);
}

// A module that answers an error but keeps the operation (the spec says the final call ends
// it): the token's CKR_OPERATION_ACTIVE at the next *Init rebuilds the session.
TEST(OperationEndTest, AnErrorThatDidNotEndTheTokensOperationLeavesTheSessionUsable) {
  expect_recovery_from(CKR_DATA_LEN_RANGE);
}

// The other side of the rule: operations that end normally never cost a rebuild, or the key
// cache would be thrown away with every session.
TEST(OperationEndTest, OperationsThatEndNeverCostARebuild) {
  FaultShim shim;
  auto backend = make_backend();
  ASSERT_NE(backend, nullptr);
  for (int round = 0; round < 3; ++round) {
    for (const Case& c : cases()) EXPECT_THAT(c.run(*backend), IsOk()) << c.name;
  }
  auto stream = backend->digest_stream(HashAlg::Sha256);
  ASSERT_THAT(stream, IsOk());
  ASSERT_THAT((*stream)->update(kMessage), IsOk());
  stream->reset();  // dropped unfinished: the stream ends the digest itself
  const PoolCounters counters = backend->pool().counters();
  EXPECT_EQ(counters.sessions_rebuilt, 0u);
  EXPECT_EQ(counters.abandoned_operations, 0u);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
