// SPDX-License-Identifier: Apache-2.0
// Fingerprints: keyed, and separated by key kind and by how bytes split into parts.
#include "keys/fingerprint.h"

#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::keys {
namespace {

const KeySecretBytes kSecretA(std::vector<std::uint8_t>(32, 0xa5));
const KeySecretBytes kSecretB(std::vector<std::uint8_t>(32, 0x5a));

TEST(FingerprintTest, IdenticalBytesOfDifferentKindsDiffer) {
  const std::vector<std::uint8_t> raw(32, 0x33);
  auto aes = Key::aes(raw);
  auto hmac = Key::hmac(raw);
  ASSERT_TRUE(aes && hmac);
  EXPECT_NE(keyed_fingerprint(aes->material(), kSecretA),
            keyed_fingerprint(hmac->material(), kSecretA));
}

TEST(FingerprintTest, DifferentSplitsOfOneConcatenationDiffer) {
  KeyMaterial first;
  first.kind = KeyKind::RsaPublic;
  first.rsa_modulus = {1, 2, 3};
  first.rsa_public_exponent = {4};
  KeyMaterial second;
  second.kind = KeyKind::RsaPublic;
  second.rsa_modulus = {1, 2};
  second.rsa_public_exponent = {3, 4};
  EXPECT_FALSE(fingerprint_input(first).equals(fingerprint_input(second)));
  EXPECT_NE(keyed_fingerprint(first, kSecretA), keyed_fingerprint(second, kSecretA));
}

TEST(FingerprintTest, TheBackendSecretKeysTheHash) {
  auto key = Key::aes(std::vector<std::uint8_t>(16, 0x01));
  ASSERT_TRUE(key);
  EXPECT_EQ(keyed_fingerprint(key->material(), kSecretA),
            keyed_fingerprint(key->material(), kSecretA));
  EXPECT_NE(keyed_fingerprint(key->material(), kSecretA),
            keyed_fingerprint(key->material(), kSecretB));
}

// A resident key with everything that names and distinguishes its object.
std::unique_ptr<KeyMaterial> resident(KeyKind kind, std::string label,
                                      std::vector<std::uint8_t> check_value) {
  auto material = std::make_unique<KeyMaterial>();
  material->kind = kind;
  material->resident.emplace();
  material->resident->token_serial = "0123";
  material->resident->label = std::move(label);
  material->resident->id = {0x01};
  material->resident->check_value = std::move(check_value);
  return material;
}

TEST(FingerprintTest, ResidentObjectsSharingAnIdDifferByLabelAndByCheckValue) {
  const auto a = resident(KeyKind::Aes, "a", {1, 2, 3});
  const auto b = resident(KeyKind::Aes, "b", {1, 2, 3});
  const auto a_replaced = resident(KeyKind::Aes, "a", {9, 9, 9});
  const auto a_again = resident(KeyKind::Aes, "a", {1, 2, 3});
  EXPECT_FALSE(fingerprint_input(*a).equals(fingerprint_input(*b)));
  EXPECT_FALSE(fingerprint_input(*a).equals(fingerprint_input(*a_replaced)));
  EXPECT_TRUE(fingerprint_input(*a).equals(fingerprint_input(*a_again)));
  EXPECT_NE(keyed_fingerprint(*a, kSecretA), keyed_fingerprint(*b, kSecretA));
}

TEST(FingerprintTest, ResidentPairsAreTheirPublicValue) {
  const auto first = resident(KeyKind::RsaPrivate, "pair", {});
  first->rsa_modulus = {0xc1, 0x02};
  first->rsa_public_exponent = {0x01, 0x00, 0x01};
  const auto second = resident(KeyKind::RsaPrivate, "pair", {});
  second->rsa_modulus = {0xc1, 0x03};
  second->rsa_public_exponent = {0x01, 0x00, 0x01};
  // No private exponent: a resident private key has none, and needs none to be told apart.
  EXPECT_FALSE(fingerprint_input(*first).equals(fingerprint_input(*second)));
  const auto ec = resident(KeyKind::EcPrivate, "pair", {});
  ec->curve = EcCurve::P256;
  ec->public_point = {0x04, 0x01, 0x02};
  const auto ec_public = resident(KeyKind::EcPublic, "pair", {});
  ec_public->curve = EcCurve::P256;
  ec_public->public_point = ec->public_point;
  EXPECT_FALSE(fingerprint_input(*ec).equals(fingerprint_input(*ec_public)))
      << "the two halves are two objects";
}

TEST(FingerprintTest, TheProcessSecretIsOneRandomKey) {
  const KeySecretBytes& secret = process_fingerprint_secret();
  EXPECT_EQ(secret.size(), 32u);
  EXPECT_EQ(&secret, &process_fingerprint_secret());
  EXPECT_FALSE(secret.equals(KeySecretBytes::zeroed(32)));
}

TEST(FingerprintMemoTest, KeepsOneEntryPerOwnerUnderConcurrentInserts) {
  FingerprintMemo memo;
  Fingerprint fingerprint;
  int states[8] = {};
  std::vector<const MemoEntry*> winners(8);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] { winners[t] = memo.insert(42, fingerprint, &states[t]); });
    }
  }
  for (const MemoEntry* winner : winners) EXPECT_EQ(winner, winners.front());
  EXPECT_EQ(memo.find(42), winners.front());
  EXPECT_EQ(memo.find(43), nullptr);
  EXPECT_NE(next_memo_owner_id(), next_memo_owner_id());
}

}  // namespace
}  // namespace craton::hsm::keys
