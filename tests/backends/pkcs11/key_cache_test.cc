// SPDX-License-Identifier: Apache-2.0
// The passthrough backend's per-session key cache, observed through the module's call counts:
// hits import nothing, eviction destroys, capacity holds, usages get their own objects.
#include <gtest/gtest.h>

#include "backends/pkcs11/passthrough_backend.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::softhsm_config;

std::unique_ptr<Pkcs11PassthroughBackend> make_backend(std::uint32_t cache_capacity) {
  Pkcs11PassthroughConfig config = softhsm_config();
  config.pool_size = 1;  // one session, so every call sees the same cache
  config.cache_capacity = cache_capacity;
  auto backend = Pkcs11PassthroughBackend::create(std::move(config));
  EXPECT_THAT(backend, IsOk());
  return backend ? std::move(*backend) : nullptr;
}

Key aes_key(std::uint8_t fill) {
  return Key::aes(std::vector<std::uint8_t>(32, fill)).value();
}

const std::vector<std::uint8_t> kMessage(1024, 0x5a);

TEST(KeyCacheTest, HitsImportNothing) {
  auto backend = make_backend(8);
  ASSERT_NE(backend, nullptr);
  const Key key = aes_key(1);
  const auto creates = backend->module().call_count(Fn::CreateObject);
  // Counted from here: the start-up probe of session objects searches once.
  const auto searches = backend->module().call_count(Fn::FindObjectsInit);
  ASSERT_THAT(backend->aes_gcm_encrypt(key, kMessage, {}), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), creates + 1);
  for (int i = 0; i < 20; ++i) ASSERT_THAT(backend->aes_gcm_encrypt(key, kMessage, {}), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), creates + 1);
  EXPECT_EQ(backend->module().call_count(Fn::FindObjectsInit), searches);
}

TEST(KeyCacheTest, EqualBytesInSeparateKeysShareOneObject) {
  auto backend = make_backend(8);
  ASSERT_NE(backend, nullptr);
  const auto creates = backend->module().call_count(Fn::CreateObject);
  ASSERT_THAT(backend->aes_gcm_encrypt(aes_key(7), kMessage, {}), IsOk());
  ASSERT_THAT(backend->aes_gcm_encrypt(aes_key(7), kMessage, {}), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), creates + 1);
}

TEST(KeyCacheTest, EvictionDestroysTheLeastRecentlyUsedObject) {
  auto backend = make_backend(2);
  ASSERT_NE(backend, nullptr);
  const auto creates = backend->module().call_count(Fn::CreateObject);
  const auto destroys = backend->module().call_count(Fn::DestroyObject);
  const Key a = aes_key(1), b = aes_key(2), c = aes_key(3);
  for (const Key* key : {&a, &b, &c})
    ASSERT_THAT(backend->aes_gcm_encrypt(*key, kMessage, {}), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), creates + 3);
  EXPECT_EQ(backend->module().call_count(Fn::DestroyObject), destroys + 1) << "a was evicted";
  // b and c are cached; a must be imported again (and evicts b).
  ASSERT_THAT(backend->aes_gcm_encrypt(c, kMessage, {}), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), creates + 3);
  ASSERT_THAT(backend->aes_gcm_encrypt(a, kMessage, {}), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), creates + 4);
  EXPECT_EQ(backend->module().call_count(Fn::DestroyObject), destroys + 2);
}

TEST(KeyCacheTest, CapacityBoundsTheObjectsAlive) {
  auto backend = make_backend(4);
  ASSERT_NE(backend, nullptr);
  const auto creates = backend->module().call_count(Fn::CreateObject);
  const auto destroys = backend->module().call_count(Fn::DestroyObject);
  for (std::uint8_t i = 0; i < 10; ++i) {
    ASSERT_THAT(backend->aes_gcm_encrypt(aes_key(i), kMessage, {}), IsOk());
  }
  const auto created = backend->module().call_count(Fn::CreateObject) - creates;
  const auto destroyed = backend->module().call_count(Fn::DestroyObject) - destroys;
  EXPECT_EQ(created, 10u);
  EXPECT_EQ(created - destroyed, 4u) << "objects alive never exceed cache_capacity";
}

TEST(KeyCacheTest, EachUsageGetsItsOwnObject) {
  auto backend = make_backend(8);
  ASSERT_NE(backend, nullptr);
  const Key key = aes_key(9);
  const SecretBytes secret(std::vector<std::uint8_t>(32, 0x44));
  const auto creates = backend->module().call_count(Fn::CreateObject);
  ASSERT_THAT(backend->aes_gcm_encrypt(key, kMessage, {}), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), creates + 1);
  // As a key-encryption key it needs CKA_WRAP, which its encryption object does not carry:
  // a second object, plus the temporary object holding the key being wrapped.
  ASSERT_THAT(backend->wrap_key(key, KeyWrapScheme::AesKw, secret), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), creates + 3);
  ASSERT_THAT(backend->wrap_key(key, KeyWrapScheme::AesKw, secret), IsOk());
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), creates + 4);
}

TEST(KeyCacheTest, AWrongKeyKindImportsNothing) {
  auto backend = make_backend(8);
  ASSERT_NE(backend, nullptr);
  const Key hmac_key = Key::hmac(std::vector<std::uint8_t>(32, 1)).value();
  const auto creates = backend->module().call_count(Fn::CreateObject);
  EXPECT_THAT(backend->aes_gcm_encrypt(hmac_key, kMessage, {}),
              HasErrorCode(ErrorCode::KeyTypeInconsistent));
  EXPECT_EQ(backend->module().call_count(Fn::CreateObject), creates);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
