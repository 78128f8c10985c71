// SPDX-License-Identifier: Apache-2.0
// Durable budgets through make_pkcs11_backend on a real SQLite file: a new backend continues
// from the store's high-water mark, the identity key decides which keys share a budget, a
// durable store without an identity key (or with an unusable one) refuses to start, and the
// store and its reservations show in stats().
#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/resident_keys.h>

#include <openssl/rand.h>

#include <fstream>

#include <gtest/gtest.h>

#include "support/budget_spend.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"
#include "support/softhsm_token.h"

namespace craton::hsm {
namespace {

using ::craton::hsm::testing::encrypt_until_refused;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::softhsm_config;
using ::craton::hsm::testing::TempDir;

const std::vector<std::uint8_t> kMessage{'r', 'e', 's', 't', 'a', 'r', 't'};

std::string random_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  EXPECT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size)), 1);
  return bytes;
}

Key fresh_aes_key() {
  const std::string bytes = random_bytes(32);
  return Key::aes(std::vector<std::uint8_t>(bytes.begin(), bytes.end())).value();
}

class BudgetRestartTest : public ::testing::Test {
 protected:
  Pkcs11PassthroughConfig config(std::uint64_t limit, const std::filesystem::path& identity) {
    Pkcs11PassthroughConfig config = softhsm_config();
    config.gcm_max_messages_per_key = limit;
    config.budget.store = BudgetStoreKind::Sqlite;
    config.budget.path = store_;
    config.budget.identity_key_file = identity;
    config.budget.block_min = 4;
    config.budget.block_max = 4;
    return config;
  }
  std::unique_ptr<Pkcs11Backend> open(std::uint64_t limit, const std::filesystem::path& identity) {
    auto backend = make_pkcs11_backend(config(limit, identity));
    EXPECT_THAT(backend, IsOk());
    return backend ? std::move(*backend) : nullptr;
  }
  TempDir dir_;
  std::filesystem::path store_ = dir_.path() / "budgets.db";
  std::filesystem::path identity_ = dir_.write("identity.key", random_bytes(32));
  std::filesystem::path other_identity_ = dir_.write("other.key", random_bytes(32));
};

TEST_F(BudgetRestartTest, ANewBackendContinuesFromTheDurableHighWaterMark) {
  const Key key = fresh_aes_key();
  {
    auto first = open(40, identity_);
    ASSERT_NE(first, nullptr);
    for (int i = 0; i < 5; ++i) ASSERT_THAT(first->aes_gcm_encrypt(key, kMessage, {}), IsOk());
    const BackendStats stats = first->stats();
    EXPECT_TRUE(stats.budget_store.starts_with("sqlite:")) << stats.budget_store;
    EXPECT_EQ(stats.budget_reservations, 2u);
  }  // "the process ends": two blocks of 4 reserved, 5 used, 3 lost (counted as used)
  auto second = open(40, identity_);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(encrypt_until_refused(*second, key, kMessage), 40 - 8);
  const BackendStats stats = second->stats();
  ASSERT_EQ(stats.gcm_budget_exhausted.size(), 1u);
  EXPECT_EQ(stats.gcm_budget_used.at(stats.gcm_budget_exhausted.front()), 1.0);
}

TEST_F(BudgetRestartTest, TheIdentityKeyDecidesWhichBackendsShareABudget) {
  const Key key = fresh_aes_key();
  auto first = open(10, identity_);
  ASSERT_NE(first, nullptr);
  for (int i = 0; i < 6; ++i) ASSERT_THAT(first->aes_gcm_encrypt(key, kMessage, {}), IsOk());
  // Another identity key on the same store names the same bytes differently.
  auto stranger = open(10, other_identity_);
  ASSERT_NE(stranger, nullptr);
  EXPECT_EQ(encrypt_until_refused(*stranger, key, kMessage), 10);
  // The same identity key (a second backend of this process, or a process of its own: the
  // fleet test) shares the first's budget.
  auto again = open(10, identity_);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(
      encrypt_until_refused(*again, key, kMessage) + encrypt_until_refused(*first, key, kMessage),
      4);
}

TEST_F(BudgetRestartTest, ADurableStoreWithoutOneIdentityKeyRefusesToStart) {
  Pkcs11PassthroughConfig none = config(10, identity_);
  none.budget.identity_key_file.reset();
  EXPECT_THAT(make_pkcs11_backend(std::move(none)), HasErrorCode(ErrorCode::ConfigInvalid));
  Pkcs11PassthroughConfig both = config(10, identity_);
  both.budget.identity_key_label = "budget-identity";
  EXPECT_THAT(make_pkcs11_backend(std::move(both)), HasErrorCode(ErrorCode::ConfigInvalid));
  Pkcs11PassthroughConfig missing = config(10, dir_.path() / "no-such.key");
  EXPECT_THAT(make_pkcs11_backend(std::move(missing)), HasErrorCode(ErrorCode::ConfigInvalid));
  const std::filesystem::path open_key =
      dir_.write("world.key", random_bytes(32),
                 std::filesystem::perms::owner_read | std::filesystem::perms::others_read);
  EXPECT_THAT(make_pkcs11_backend(config(10, open_key)), HasErrorCode(ErrorCode::ConfigInvalid));
  // A label naming no key on the token: the backend does not start either.
  Pkcs11PassthroughConfig label = config(10, identity_);
  label.budget.identity_key_file.reset();
  label.budget.identity_key_label = "no-such-budget-key";
  EXPECT_THAT(make_pkcs11_backend(std::move(label)), HasErrorCode(ErrorCode::ConfigInvalid));
}

TEST_F(BudgetRestartTest, AnHmacKeyOnTheTokenCanBeTheIdentityKey) {
  auto keeper = make_pkcs11_backend(softhsm_config());
  ASSERT_THAT(keeper, IsOk());
  ResidentKeySpec spec;
  spec.algorithm = KeyAlgorithm::Hmac256;
  spec.label = "budget-identity-key";
  spec.id = {0x42, 0x49};
  ASSERT_THAT((*keeper)->generate_resident_key(spec), IsOk());
  Pkcs11PassthroughConfig by_label = config(10, identity_);
  by_label.budget.identity_key_file.reset();
  by_label.budget.identity_key_label = spec.label;
  const Key key = fresh_aes_key();
  {
    auto first = make_pkcs11_backend(by_label.clone());
    ASSERT_THAT(first, IsOk());
    for (int i = 0; i < 6; ++i) ASSERT_THAT((*first)->aes_gcm_encrypt(key, kMessage, {}), IsOk());
  }  // two blocks of 4 reserved under the token-computed identity
  auto second = make_pkcs11_backend(std::move(by_label));
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(encrypt_until_refused(**second, key, kMessage), 2);
  // The key file names the same key differently: a budget of its own.
  auto by_file = open(10, identity_);
  ASSERT_NE(by_file, nullptr);
  EXPECT_EQ(encrypt_until_refused(*by_file, key, kMessage), 10);
  KeyRef ref;
  ref.label = spec.label;
  ASSERT_THAT((*keeper)->destroy_key(ref), IsOk());
}

TEST_F(BudgetRestartTest, ACorruptStoreFileIsATypedErrorAtStart) {
  std::ofstream(store_, std::ios::binary) << std::string(4096, 'x');
  std::filesystem::permissions(
      store_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_THAT(make_pkcs11_backend(config(10, identity_)),
              HasErrorCode(ErrorCode::BudgetStoreUnavailable));
}

TEST_F(BudgetRestartTest, TheMemoryStoreIsTodaysBehaviour) {
  Pkcs11PassthroughConfig memory = softhsm_config();
  memory.gcm_max_messages_per_key = 3;
  auto backend = make_pkcs11_backend(std::move(memory));
  ASSERT_THAT(backend, IsOk());
  EXPECT_EQ(encrypt_until_refused(**backend, fresh_aes_key(), kMessage), 3);
  EXPECT_EQ((*backend)->stats().budget_store, "memory");
  EXPECT_EQ((*backend)->stats().budget_reservations, 0u);
  EXPECT_FALSE(std::filesystem::exists(store_));
}

}  // namespace
}  // namespace craton::hsm
