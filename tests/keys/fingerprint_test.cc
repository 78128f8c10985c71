// SPDX-License-Identifier: Apache-2.0
// Fingerprints: keyed, and separated by key kind and by how bytes split into parts.
#include "keys/fingerprint.h"

#include <thread>

#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::keys {
namespace {

const SecretBytes kSecretA(std::vector<std::uint8_t>(32, 0xa5));
const SecretBytes kSecretB(std::vector<std::uint8_t>(32, 0x5a));

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
