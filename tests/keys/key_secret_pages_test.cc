// SPDX-License-Identifier: Apache-2.0
// Key material (AES, HMAC, EC scalars, Ed25519 seeds, RSA PKCS#8 and CRT parts) lives in pages
// left out of core dumps ("dd" in /proc/self/smaps), for as long as its Key does.
#include <craton/hsm/keys.h>
#include <craton/hsm/software_backend.h>

#include <gtest/gtest.h>

#include <cstdint>

#include "keys/fingerprint.h"
#include "keys/key_material.h"
#include "support/core_dump_pages.h"

namespace craton::hsm {
namespace {

using testing::excluded_from_core_dumps;

TEST(KeySecretPages, EveryKindOfPrivateMaterialIsLeftOutOfCoreDumps) {
  const auto software = make_software_backend();
  for (const KeyAlgorithm algorithm :
       {KeyAlgorithm::Aes256, KeyAlgorithm::Hmac256, KeyAlgorithm::EcP256, KeyAlgorithm::Ed25519,
        KeyAlgorithm::Rsa2048}) {
    const auto key = software->generate_key(algorithm);
    ASSERT_TRUE(key.has_value()) << key_algorithm_name(algorithm);
    const KeyMaterial& material = key->material();
    ASSERT_FALSE(material.secret.empty()) << key_algorithm_name(algorithm);
    EXPECT_TRUE(excluded_from_core_dumps(material.secret.expose().data()))
        << key_algorithm_name(algorithm);
    if (material.rsa_private) {
      EXPECT_TRUE(excluded_from_core_dumps(material.rsa_private->private_exponent.expose().data()));
      EXPECT_TRUE(excluded_from_core_dumps(material.rsa_private->prime1.expose().data()));
    }
  }
}

// Every fingerprint of the process is keyed with it: whoever has it can test a guess at a key.
TEST(KeySecretPages, TheProcessFingerprintSecretIsLeftOutOfCoreDumps) {
  EXPECT_TRUE(excluded_from_core_dumps(keys::process_fingerprint_secret().expose().data()));
}

// export_secret hands the caller a copy for one use: ordinary heap, wiped when freed.
TEST(KeySecretPages, ExportedCopiesAreOrdinarySecretBytes) {
  const auto key = Key::aes(std::vector<std::uint8_t>(32, 7));
  ASSERT_TRUE(key.has_value());
  const auto exported = key->export_secret();
  ASSERT_TRUE(exported.has_value());
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(*exported)>, SecretBytes>);
  EXPECT_EQ(exported->size(), 32u);
}

}  // namespace
}  // namespace craton::hsm
