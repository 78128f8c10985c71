// SPDX-License-Identifier: Apache-2.0
// Resident-key test helpers.
#include "backends/pkcs11/resident_test_util.h"

#include <gtest/gtest.h>

#include <atomic>

#include "pkcs11/session/object_search.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"
#include "support/softhsm_module.h"

namespace craton::hsm::pkcs11 {

std::unique_ptr<Pkcs11PassthroughBackend> make_resident_backend(bool through_fault_shim,
                                                                std::uint64_t gcm_budget) {
  Pkcs11PassthroughConfig config =
      through_fault_shim ? testing::fault_shim_config() : testing::softhsm_config();
  config.gcm_max_messages_per_key = gcm_budget;
  auto backend = Pkcs11PassthroughBackend::create(std::move(config));
  EXPECT_THAT(backend, testing::IsOk());
  return backend ? std::move(*backend) : nullptr;
}

ResidentKeySpec unique_spec(KeyAlgorithm algorithm, const std::string& name) {
  static std::atomic<std::uint8_t> counter{1};
  ResidentKeySpec spec;
  spec.algorithm = algorithm;
  spec.label = "resident-" + name;
  spec.id = {0x52, counter.fetch_add(1)};
  return spec;
}

KeyRef by_label(const std::string& label) {
  KeyRef ref;
  ref.label = label;
  return ref;
}

KeyRef by_id(const std::vector<std::uint8_t>& id) {
  KeyRef ref;
  ref.id = id;
  return ref;
}

namespace {

// A logged-in one-session pool on the ci-token, apart from any backend under test.
std::unique_ptr<SessionPool> raw_pool() {
  PoolOptions options;
  options.pool_size = 1;
  options.user_pin.emplace(testing::kUserPin);
  auto module = testing::softhsm_module();
  auto pool = SessionPool::create(module, testing::slot_of(*module), std::move(options));
  EXPECT_THAT(pool, testing::IsOk());
  return pool ? std::move(*pool) : nullptr;
}

std::vector<CK_OBJECT_HANDLE> raw_find_label(Lease& lease, const std::string& label) {
  AttributeTemplate tmpl;
  tmpl.add_bool(CKA_TOKEN, true)
      .add_bytes(CKA_LABEL, {reinterpret_cast<const std::uint8_t*>(label.data()), label.size()});
  auto found = find_objects(lease, tmpl);
  EXPECT_THAT(found, testing::IsOk());
  return found ? *found : std::vector<CK_OBJECT_HANDLE>{};
}

}  // namespace

void raw_generate_aes(const std::string& label, const std::vector<std::uint8_t>& id) {
  auto pool = raw_pool();
  ASSERT_NE(pool, nullptr);
  auto lease = pool->acquire();
  ASSERT_THAT(lease, testing::IsOk());
  AttributeTemplate tmpl;
  tmpl.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
      .add_ulong(CKA_KEY_TYPE, CKK_AES)
      .add_ulong(CKA_VALUE_LEN, 32)
      .add_bool(CKA_TOKEN, true)
      .add_bool(CKA_PRIVATE, true)
      .add_bool(CKA_SENSITIVE, true)
      .add_bool(CKA_ENCRYPT, true)
      .add_bool(CKA_DECRYPT, true)
      .add_bytes(CKA_LABEL, {reinterpret_cast<const std::uint8_t*>(label.data()), label.size()})
      .add_bytes(CKA_ID, id);
  CK_MECHANISM mechanism{CKM_AES_KEY_GEN, nullptr, 0};
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  ASSERT_THAT(lease->call<Fn::GenerateKey>(&mechanism, tmpl.data(), tmpl.size(), &object),
              testing::IsOk());
}

namespace {

// Generates an EC pair on `lease` (its public half a token object unless told otherwise);
// returns the public half's handle.
CK_OBJECT_HANDLE generate_ec_pair(Lease& lease, const std::string& label,
                                  const std::vector<std::uint8_t>& id, bool public_on_token,
                                  bool public_destroyable,
                                  std::span<const std::uint8_t> curve_oid) {
  const std::span<const std::uint8_t> label_bytes{
      reinterpret_cast<const std::uint8_t*>(label.data()), label.size()};
  AttributeTemplate public_tmpl;
  public_tmpl.add_bool(CKA_TOKEN, public_on_token)
      .add_bool(CKA_VERIFY, true)
      .add_bool(CKA_DESTROYABLE, public_destroyable)
      .add_bytes(CKA_EC_PARAMS, curve_oid)
      .add_bytes(CKA_LABEL, label_bytes)
      .add_bytes(CKA_ID, id);
  AttributeTemplate private_tmpl;
  private_tmpl.add_bool(CKA_TOKEN, true)
      .add_bool(CKA_PRIVATE, true)
      .add_bool(CKA_SENSITIVE, true)
      .add_bool(CKA_SIGN, true)
      .add_bytes(CKA_LABEL, label_bytes)
      .add_bytes(CKA_ID, id);
  CK_MECHANISM mechanism{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
  EXPECT_THAT(lease.call<Fn::GenerateKeyPair>(&mechanism, public_tmpl.data(), public_tmpl.size(),
                                              private_tmpl.data(), private_tmpl.size(), &public_key,
                                              &private_key),
              testing::IsOk());
  return public_key;
}

}  // namespace

void raw_generate_ec_pair(const std::string& label, const std::vector<std::uint8_t>& id,
                          bool public_destroyable, std::span<const std::uint8_t> curve_oid) {
  auto pool = raw_pool();
  ASSERT_NE(pool, nullptr);
  auto lease = pool->acquire();
  ASSERT_THAT(lease, testing::IsOk());
  (void)generate_ec_pair(*lease, label, id, /*public_on_token=*/true, public_destroyable,
                         curve_oid);
}

void raw_create_aes(const std::string& label, const std::vector<std::uint8_t>& id,
                    const std::vector<std::uint8_t>& value) {
  auto pool = raw_pool();
  ASSERT_NE(pool, nullptr);
  auto lease = pool->acquire();
  ASSERT_THAT(lease, testing::IsOk());
  AttributeTemplate tmpl;
  tmpl.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
      .add_ulong(CKA_KEY_TYPE, CKK_AES)
      .add_bool(CKA_TOKEN, true)
      .add_bool(CKA_PRIVATE, true)
      .add_bool(CKA_SENSITIVE, true)
      .add_bool(CKA_ENCRYPT, true)
      .add_bool(CKA_DECRYPT, true)
      .add_bytes(CKA_LABEL, {reinterpret_cast<const std::uint8_t*>(label.data()), label.size()})
      .add_bytes(CKA_ID, id)
      .add_bytes(CKA_VALUE, value);
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  ASSERT_THAT(lease->call<Fn::CreateObject>(tmpl.data(), tmpl.size(), &object), testing::IsOk());
}

void raw_generate_ec_private_only(const std::string& label, const std::vector<std::uint8_t>& id) {
  auto pool = raw_pool();
  ASSERT_NE(pool, nullptr);
  auto lease = pool->acquire();
  ASSERT_THAT(lease, testing::IsOk());
  const CK_OBJECT_HANDLE public_key = generate_ec_pair(*lease, label, id, /*public_on_token=*/false,
                                                       /*public_destroyable=*/true, kP256Oid);
  ASSERT_THAT(lease->call<Fn::DestroyObject>(public_key), testing::IsOk());
}

std::size_t raw_destroy_label_of_class(const std::string& label, unsigned long object_class) {
  auto pool = raw_pool();
  if (pool == nullptr) return 0;
  auto lease = pool->acquire();
  EXPECT_THAT(lease, testing::IsOk());
  if (!lease) return 0;
  AttributeTemplate tmpl;
  tmpl.add_bool(CKA_TOKEN, true)
      .add_ulong(CKA_CLASS, object_class)
      .add_bytes(CKA_LABEL, {reinterpret_cast<const std::uint8_t*>(label.data()), label.size()});
  auto found = find_objects(*lease, tmpl);
  EXPECT_THAT(found, testing::IsOk());
  std::size_t destroyed = 0;
  for (const CK_OBJECT_HANDLE object : found ? *found : std::vector<CK_OBJECT_HANDLE>{}) {
    EXPECT_THAT(lease->call<Fn::DestroyObject>(object), testing::IsOk());
    ++destroyed;
  }
  return destroyed;
}

std::size_t raw_destroy_label(const std::string& label) {
  auto pool = raw_pool();
  if (pool == nullptr) return 0;
  auto lease = pool->acquire();
  EXPECT_THAT(lease, testing::IsOk());
  if (!lease) return 0;
  std::size_t destroyed = 0;
  for (const CK_OBJECT_HANDLE object : raw_find_label(*lease, label)) {
    EXPECT_THAT(lease->call<Fn::DestroyObject>(object), testing::IsOk());
    ++destroyed;
  }
  return destroyed;
}

std::size_t raw_count_label(const std::string& label) {
  auto pool = raw_pool();
  if (pool == nullptr) return 0;
  auto lease = pool->acquire();
  EXPECT_THAT(lease, testing::IsOk());
  return lease ? raw_find_label(*lease, label).size() : 0;
}

}  // namespace craton::hsm::pkcs11
