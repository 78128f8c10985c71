// SPDX-License-Identifier: Apache-2.0
// The passthrough's AES-GCM budget on a durable store (a real SQLite file through
// tests/pkcs11/forwarding_budget_store.h's switch; both stores in tests/budget_e2e): one budget per
// key identity across backends that do not share memory (as processes), a store that is down fails
// encryption closed before any token call while decryption goes on, the refusal audited and
// the spent key in stats(), and a stored copy of material carrying the material's history.
#include <openssl/rand.h>

#include <gtest/gtest.h>

#include "backends/pkcs11/resident_test_util.h"
#include "pkcs11/forwarding_budget_store.h"
#include "support/budget_spend.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"
#include "support/softhsm_token.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::encrypt_until_refused;
using ::craton::hsm::testing::ForwardingBudgetStore;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::softhsm_config;
using ::craton::hsm::testing::TempDir;

const std::vector<std::uint8_t> kMessage{'d', 'u', 'r', 'a', 'b', 'l', 'e'};

Key fresh_aes_key() {
  std::vector<std::uint8_t> bytes(32);
  EXPECT_EQ(RAND_bytes(bytes.data(), static_cast<int>(bytes.size())), 1);
  return Key::aes(bytes).value();
}

std::string random_key_file_bytes() {
  std::string bytes(32, '\0');
  EXPECT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), 32), 1);
  return bytes;
}

// One store several "processes" reach: each backend gets DurableBudgets of its own (nothing
// shared in memory), all over the same SQLite file.
class DurableWorld {
 public:
  explicit DurableWorld(std::string name) : name_(std::move(name)) {
    identity_ = dir_.write("identity.key", random_key_file_bytes());
    other_identity_ = dir_.write("other.key", random_key_file_bytes());
  }

  std::unique_ptr<Pkcs11PassthroughBackend> process(
      std::uint64_t limit, BlockSizing sizing, bool other_identity = false,
      Pkcs11PassthroughBackend::AdminEventHandler on_admin = {}) {
    Pkcs11PassthroughConfig config = softhsm_config();
    config.gcm_max_messages_per_key = limit;
    auto backend = Pkcs11PassthroughBackend::create(std::move(config), {}, std::move(on_admin));
    EXPECT_THAT(backend, IsOk());
    if (!backend) return nullptr;
    auto mac = make_key_file_audit_mac(other_identity ? other_identity_ : identity_);
    EXPECT_THAT(mac, IsOk());
    (*backend)->use_durable_budgets(
        std::make_shared<DurableBudgets>(std::make_unique<ForwardingBudgetStore>(name_, files_),
                                         sizing),
        std::move(*mac));
    return std::move(*backend);
  }
  ForwardingBudgetStore::Files& files() { return *files_; }
  std::uint64_t total_used() { return ForwardingBudgetStore(name_, files_).total_stored(); }

 private:
  std::string name_;
  TempDir dir_;
  std::filesystem::path identity_;
  std::filesystem::path other_identity_;
  std::shared_ptr<ForwardingBudgetStore::Files> files_ =
      std::make_shared<ForwardingBudgetStore::Files>();
};

TEST(DurableBudgetTest, TwoProcessesWithTheSameIdentityKeyShareOneBudget) {
  DurableWorld world("share");
  auto first = world.process(10, {.min = 4, .max = 4});
  auto second = world.process(10, {.min = 4, .max = 4});
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  const Key key = fresh_aes_key();
  CryptoBackend& a = *first;
  for (int i = 0; i < 3; ++i) ASSERT_THAT(a.aes_gcm_encrypt(key, kMessage, {}), IsOk());
  EXPECT_EQ(world.total_used(), 4u);  // one block, one count of it unspent
  // The other process gets what the store has left, then the first its last count.
  EXPECT_EQ(encrypt_until_refused(*second, key, kMessage), 6);
  EXPECT_EQ(encrypt_until_refused(*first, key, kMessage), 1);
  EXPECT_EQ(world.total_used(), 10u);
  // A third with another identity key names the key differently: a budget of its own.
  auto stranger = world.process(10, {.min = 4, .max = 4}, /*other_identity=*/true);
  ASSERT_NE(stranger, nullptr);
  EXPECT_EQ(encrypt_until_refused(*stranger, key, kMessage), 10);
}

TEST(DurableBudgetTest, AStoreDownFailsEncryptionClosedAndDecryptionGoesOn) {
  DurableWorld world("down");
  auto backend = world.process(100, {.min = 4, .max = 4});
  ASSERT_NE(backend, nullptr);
  CryptoBackend& crypto = *backend;
  const Key key = fresh_aes_key();
  auto sealed = crypto.aes_gcm_encrypt(key, kMessage, {});
  ASSERT_THAT(sealed, IsOk());
  world.files().down = true;
  // The counts already reserved are still good.
  for (int i = 0; i < 3; ++i) ASSERT_THAT(crypto.aes_gcm_encrypt(key, kMessage, {}), IsOk());
  const auto inits = backend->module().call_count(Fn::EncryptInit);
  const auto draws = backend->module().call_count(Fn::GenerateRandom);
  std::vector<std::uint8_t> out(kGcmIvSize + kMessage.size() + kGcmTagSize, 0xAA);
  auto refused = crypto.aes_gcm_encrypt_into(key, kMessage, {}, out);
  EXPECT_THAT(refused, HasErrorCode(ErrorCode::BudgetStoreUnavailable));
  EXPECT_TRUE(refused.error().is_transient());
  EXPECT_EQ(backend->module().call_count(Fn::EncryptInit), inits);  // no token call
  EXPECT_EQ(backend->module().call_count(Fn::GenerateRandom), draws);
  EXPECT_EQ(out, std::vector<std::uint8_t>(out.size(), 0xAA));  // nothing written
  EXPECT_THAT(crypto.aes_gcm_decrypt(key, *sealed, {}), IsOk());
  world.files().down = false;
  EXPECT_THAT(crypto.aes_gcm_encrypt(key, kMessage, {}), IsOk());
}

TEST(DurableBudgetTest, ASpentBudgetIsAuditedAndReportedInStats) {
  DurableWorld world("stats");
  std::vector<AuditEvent> events;
  auto backend = world.process(3, {.min = 2, .max = 2}, false,
                               [&](AuditEvent event) { events.push_back(std::move(event)); });
  ASSERT_NE(backend, nullptr);
  const Key key = fresh_aes_key();
  EXPECT_EQ(encrypt_until_refused(*backend, key, kMessage), 3);
  const BackendStats stats = backend->stats();
  EXPECT_EQ(stats.budget_store, "sqlite:" + (world.files().dir.path() / "stats.db").string());
  EXPECT_EQ(stats.budget_reservations, 2u);
  const std::string name = backend->fingerprint_of(key).short_hex();
  EXPECT_EQ(stats.gcm_budget_used.at(name), 1.0);
  EXPECT_EQ(stats.gcm_budget_exhausted, std::vector<std::string>{name});
  const auto refusals = std::count_if(events.begin(), events.end(), [](const AuditEvent& event) {
    return event.operation == AuditOperation::GcmBudgetRefused;
  });
  EXPECT_EQ(refusals, 1);
  EXPECT_EQ(backend->gcm_messages(key), 3u);
}

TEST(DurableBudgetTest, AStoredCopyCarriesTheMaterialsHistoryToOtherProcesses) {
  DurableWorld world("copy");
  auto first = world.process(10, {.min = 4, .max = 4});
  ASSERT_NE(first, nullptr);
  CryptoBackend& a = *first;
  const Key material = fresh_aes_key();
  for (int i = 0; i < 3; ++i) ASSERT_THAT(a.aes_gcm_encrypt(material, kMessage, {}), IsOk());
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Aes256, "durable-copy");
  auto resident = first->import_resident_key(material, spec);
  ASSERT_THAT(resident, IsOk());
  int successes = 3;
  // The copy and the material count together here, under the copy's row.
  ASSERT_THAT(a.aes_gcm_encrypt(*resident, kMessage, {}), IsOk());
  ASSERT_THAT(a.aes_gcm_encrypt(material, kMessage, {}), IsOk());
  successes += 2;
  EXPECT_EQ(first->gcm_messages(material), first->gcm_messages(*resident));
  // Another process finds the copy by label: its row already holds the material's history.
  auto second = world.process(10, {.min = 4, .max = 4});
  ASSERT_NE(second, nullptr);
  auto found = second->find_key(by_label(spec.label));
  ASSERT_THAT(found, IsOk());
  successes += encrypt_until_refused(*second, *found, kMessage);
  successes += encrypt_until_refused(*first, material, kMessage);
  EXPECT_LE(successes, 10);
  EXPECT_GE(successes, 10 - 2 * 4);
  ASSERT_THAT(first->destroy_key(by_label(spec.label)), IsOk());
}

}  // namespace
}  // namespace craton::hsm::pkcs11
