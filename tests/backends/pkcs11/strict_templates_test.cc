// SPDX-License-Identifier: Apache-2.0
// Tokens with strict key templates (docs/vendors/README.md, minimal_key_templates), through the
// fault shim's quirk modes: a refused explicit template is retried once with the minimal one and
// learned; what the token granted beyond the request is read back, reported, and refused under
// strict_usages (weakened security attributes always), leaving nothing on the token.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

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
using ::testing::HasSubstr;

bool is_pair(KeyAlgorithm algorithm) {
  return algorithm != KeyAlgorithm::Aes256 && algorithm != KeyAlgorithm::Hmac256;
}

const char* generate_function(KeyAlgorithm algorithm) {
  return is_pair(algorithm) ? "C_GenerateKeyPair" : "C_GenerateKey";
}

class StrictTemplates : public ::testing::Test {
 protected:
  void open(bool strict_usages = false, bool minimal_quirk = false, std::uint32_t pool = 2) {
    Pkcs11PassthroughConfig config = fault_shim_config();
    config.pool_size = pool;
    config.strict_usages = strict_usages;
    if (minimal_quirk) config.vendor_quirks.emplace("minimal_key_templates", true);
    auto created = Pkcs11PassthroughBackend::create(std::move(config));
    ASSERT_THAT(created, IsOk());
    backend_ = std::move(*created);
  }
  // Generations that reached the token since the last reset (refused ones included).
  [[nodiscard]] unsigned long generations(KeyAlgorithm algorithm) const {
    return shim_.calls(generate_function(algorithm));
  }
  void destroy(const ResidentKeySpec& spec) {
    EXPECT_THAT(backend_->destroy_key(by_label(spec.label)), IsOk());
    EXPECT_EQ(raw_count_label(spec.label), 0U);
  }

  FaultShim shim_;
  std::unique_ptr<Pkcs11PassthroughBackend> backend_;
};

// What SoftHSM2 grants beyond the default usages (sign+verify, AES encrypt+decrypt) when the
// template names only those: every other usage of the key's classes but CKA_DERIVE.
KeyUsages softhsm_minimal_extras(KeyAlgorithm algorithm) {
  if (algorithm == KeyAlgorithm::Aes256)
    return {.sign = true, .verify = true, .wrap = true, .unwrap = true};
  return {.encrypt = true, .decrypt = true, .wrap = true, .unwrap = true};
}

class StrictTokenKeygen : public StrictTemplates,
                          public ::testing::WithParamInterface<KeyAlgorithm> {};

TEST_P(StrictTokenKeygen, RefusedExplicitTemplateIsRetriedMinimalOnceAndLearned) {
  open();
  shim_.set("strict_usage_templates", CKR_ATTRIBUTE_VALUE_INVALID);
  const std::string name = std::string("strict-") + std::string(key_algorithm_name(GetParam()));
  const ResidentKeySpec first = unique_spec(GetParam(), name + "-1");
  const unsigned long before = generations(GetParam());
  auto key = backend_->generate_resident_key(first);
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(generations(GetParam()) - before, 2U) << "explicit refused, minimal taken";
  // Told nothing about the other usages, SoftHSM2 2.6 sets them all true but CKA_DERIVE: the
  // minimal template's price, read back and reported.
  EXPECT_EQ(key->extra_usages(), softhsm_minimal_extras(GetParam()));
  EXPECT_EQ(raw_count_label(first.label), is_pair(GetParam()) ? 2U : 1U);

  // The backend remembers: the next generation goes minimal first, one call.
  const ResidentKeySpec second = unique_spec(GetParam(), name + "-2");
  const unsigned long again = generations(GetParam());
  ASSERT_THAT(backend_->generate_resident_key(second), IsOk());
  EXPECT_EQ(generations(GetParam()) - again, 1U);

  // The minimal template still made a protected key; list flags the usages this library never
  // gives such a key.
  auto keys = backend_->list_keys();
  ASSERT_THAT(keys, IsOk());
  bool listed = false;
  for (const ResidentKeyInfo& info : *keys) {
    if (info.label != first.label || info.object_class == ObjectClass::PublicKey) continue;
    EXPECT_TRUE(info.sensitive);
    EXPECT_FALSE(info.extractable);
    EXPECT_NE(info.unexpected_usages, KeyUsages{});
    listed = true;
  }
  EXPECT_TRUE(listed);
  destroy(first);
  destroy(second);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, StrictTokenKeygen,
                         ::testing::Values(KeyAlgorithm::EcP256, KeyAlgorithm::Rsa2048,
                                           KeyAlgorithm::Aes256, KeyAlgorithm::Hmac256),
                         [](const ::testing::TestParamInfo<KeyAlgorithm>& info) {
                           std::string name(key_algorithm_name(info.param));
                           std::erase(name, '-');
                           return name;
                         });

class StrictTokenAnswers : public StrictTemplates,
                           public ::testing::WithParamInterface<unsigned long> {};

TEST_P(StrictTokenAnswers, EachRefusalReadingIsRetried) {
  open();
  shim_.set("strict_usage_templates", GetParam());
  const ResidentKeySpec spec =
      unique_spec(KeyAlgorithm::EcP256, "strict-answer-" + std::to_string(GetParam()));
  const unsigned long before = generations(KeyAlgorithm::EcP256);
  ASSERT_THAT(backend_->generate_resident_key(spec), IsOk());
  EXPECT_EQ(generations(KeyAlgorithm::EcP256) - before, 2U);
  destroy(spec);
}

INSTANTIATE_TEST_SUITE_P(Answers, StrictTokenAnswers,
                         ::testing::Values(CKR_ATTRIBUTE_VALUE_INVALID, CKR_TEMPLATE_INCONSISTENT,
                                           CKR_ATTRIBUTE_TYPE_INVALID, CKR_GENERAL_ERROR));

TEST_F(StrictTemplates, OtherFailuresAreNotRetried) {
  open();
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "strict-device-error");
  shim_.fail("C_GenerateKeyPair", CKR_DEVICE_ERROR, 1);
  const unsigned long before = generations(KeyAlgorithm::EcP256);
  EXPECT_THAT(backend_->generate_resident_key(spec), HasErrorCode(ErrorCode::DeviceError));
  EXPECT_EQ(generations(KeyAlgorithm::EcP256) - before, 1U);
  EXPECT_EQ(raw_count_label(spec.label), 0U);
}

TEST_F(StrictTemplates, BothRefusedReportsTheFirstWithBothAnswersAndLearnsNothing) {
  open();
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::EcP256, "strict-both-refused");
  shim_.add(
      "C_GenerateKeyPair:CKR_TEMPLATE_INCONSISTENT:nth=1;"
      "C_GenerateKeyPair:CKR_ATTRIBUTE_VALUE_INVALID:nth=2");
  const unsigned long before = generations(KeyAlgorithm::EcP256);
  auto refused = backend_->generate_resident_key(spec);
  ASSERT_THAT(refused, HasErrorCode(ErrorCode::TemplateInvalid));
  EXPECT_EQ(refused.error().rv_name(), "CKR_TEMPLATE_INCONSISTENT");
  EXPECT_THAT(refused.error().message(), HasSubstr("minimal template"));
  EXPECT_THAT(refused.error().message(), HasSubstr("CKR_ATTRIBUTE_VALUE_INVALID"));
  EXPECT_EQ(generations(KeyAlgorithm::EcP256) - before, 2U);
  EXPECT_EQ(raw_count_label(spec.label), 0U);
  // Nothing learned: the explicit template still goes first (and this token takes it).
  const unsigned long again = generations(KeyAlgorithm::EcP256);
  ASSERT_THAT(backend_->generate_resident_key(spec), IsOk());
  EXPECT_EQ(generations(KeyAlgorithm::EcP256) - again, 1U);
  destroy(spec);
}

TEST_F(StrictTemplates, TheProfileQuirkGoesMinimalFirst) {
  open(/*strict_usages=*/false, /*minimal_quirk=*/true);
  EXPECT_TRUE(backend_->token_capabilities().vendor_profile().quirks.minimal_key_templates);
  shim_.set("strict_usage_templates", CKR_TEMPLATE_INCONSISTENT);
  const ResidentKeySpec spec = unique_spec(KeyAlgorithm::Rsa2048, "strict-quirk");
  const unsigned long before = generations(KeyAlgorithm::Rsa2048);
  ASSERT_THAT(backend_->generate_resident_key(spec), IsOk());
  EXPECT_EQ(generations(KeyAlgorithm::Rsa2048) - before, 1U);
  destroy(spec);
}

// A usage this library never gives the kind, so that list (which cannot know what was asked)
// shows it too: CKA_DERIVE on a secret key, CKA_UNWRAP on an EC private key.
struct ExtraCase {
  KeyAlgorithm algorithm = KeyAlgorithm::Aes256;
  CK_ATTRIBUTE_TYPE attribute = CKA_DERIVE;
  KeyUsages extra;
};

const ExtraCase kExtraCases[] = {
    {KeyAlgorithm::Aes256, CKA_DERIVE, {.derive = true}},
    {KeyAlgorithm::EcP256, CKA_UNWRAP, {.unwrap = true}},
};

TEST_F(StrictTemplates, ExtraUsagesAreReportedInTheResultAndInList) {
  open();
  for (const ExtraCase& c : kExtraCases) {
    SCOPED_TRACE(key_algorithm_name(c.algorithm));
    shim_.set("grant_extra_usage", c.attribute);
    const ResidentKeySpec spec = unique_spec(
        c.algorithm, std::string("strict-extra-") + std::string(key_algorithm_name(c.algorithm)));
    auto key = backend_->generate_resident_key(spec);
    ASSERT_THAT(key, IsOk());
    EXPECT_EQ(key->extra_usages(), c.extra);
    shim_.set("grant_extra_usage", CK_UNAVAILABLE_INFORMATION);

    auto keys = backend_->list_keys();
    ASSERT_THAT(keys, IsOk());
    bool listed = false;
    for (const ResidentKeyInfo& info : *keys) {
      if (info.label != spec.label || info.object_class == ObjectClass::PublicKey) continue;
      EXPECT_EQ(info.unexpected_usages, c.extra);
      listed = true;
    }
    EXPECT_TRUE(listed);
    // Found again later, the key no longer knows what was asked; list still tells.
    auto found = backend_->find_key(by_label(spec.label));
    ASSERT_THAT(found, IsOk());
    EXPECT_EQ(found->extra_usages(), KeyUsages{});
    destroy(spec);
  }
}

TEST_F(StrictTemplates, StrictUsagesRefusesExtraUsagesAndLeavesNothing) {
  open(/*strict_usages=*/true);
  for (const ExtraCase& c : kExtraCases) {
    SCOPED_TRACE(key_algorithm_name(c.algorithm));
    shim_.set("grant_extra_usage", c.attribute);
    const ResidentKeySpec spec = unique_spec(
        c.algorithm, std::string("strict-refused-") + std::string(key_algorithm_name(c.algorithm)));
    const unsigned long live = shim_.stats().live_objects;
    auto refused = backend_->generate_resident_key(spec);
    ASSERT_THAT(refused, HasErrorCode(ErrorCode::TemplateInvalid));
    EXPECT_THAT(refused.error().message(), HasSubstr(c.extra.to_string()));
    EXPECT_THAT(refused.error().message(), HasSubstr("strict_usages"));
    EXPECT_EQ(raw_count_label(spec.label), 0U) << "both halves destroyed";
    EXPECT_EQ(shim_.stats().live_objects, live);
  }
  // Without extras, strict_usages changes nothing.
  shim_.set("grant_extra_usage", CK_UNAVAILABLE_INFORMATION);
  const ResidentKeySpec plain = unique_spec(KeyAlgorithm::EcP256, "strict-refused-none");
  ASSERT_THAT(backend_->generate_resident_key(plain), IsOk());
  destroy(plain);
}

TEST_F(StrictTemplates, WeakenedKeysAreRefusedWhateverTheUsagePolicy) {
  open(/*strict_usages=*/false);
  shim_.set("weaken_generated_keys", 1);
  for (const KeyAlgorithm algorithm : {KeyAlgorithm::EcP256, KeyAlgorithm::Aes256}) {
    SCOPED_TRACE(key_algorithm_name(algorithm));
    const ResidentKeySpec spec = unique_spec(
        algorithm, std::string("strict-weakened-") + std::string(key_algorithm_name(algorithm)));
    const unsigned long live = shim_.stats().live_objects;
    auto refused = backend_->generate_resident_key(spec);
    ASSERT_THAT(refused, HasErrorCode(ErrorCode::TemplateInvalid));
    EXPECT_THAT(refused.error().message(), HasSubstr("CKA_SENSITIVE false"));
    EXPECT_EQ(raw_count_label(spec.label), 0U);
    EXPECT_EQ(shim_.stats().live_objects, live);
  }
}

TEST_F(StrictTemplates, EightThreadsOnAStrictTokenAllSucceedAndLearnOnce) {
  open(/*strict_usages=*/false, /*minimal_quirk=*/false, /*pool=*/8);
  shim_.set("strict_usage_templates", CKR_TEMPLATE_INCONSISTENT);
  constexpr int kThreads = 8;
  std::vector<ResidentKeySpec> specs;
  for (int i = 0; i < kThreads; ++i) {
    specs.push_back(unique_spec(KeyAlgorithm::EcP256, "strict-thread-" + std::to_string(i)));
  }
  const unsigned long before = generations(KeyAlgorithm::EcP256);
  std::atomic<int> succeeded{0};
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        if (backend_->generate_resident_key(specs[static_cast<std::size_t>(i)])) ++succeeded;
      });
    }
  }
  EXPECT_EQ(succeeded.load(), kThreads);
  // Every thread that raced the first refusal retried once; at most all of them.
  const unsigned long calls = generations(KeyAlgorithm::EcP256) - before;
  EXPECT_GE(calls, static_cast<unsigned long>(kThreads) + 1);
  EXPECT_LE(calls, 2UL * kThreads);
  // Learned: one call from now on.
  const ResidentKeySpec after = unique_spec(KeyAlgorithm::EcP256, "strict-thread-after");
  const unsigned long again = generations(KeyAlgorithm::EcP256);
  ASSERT_THAT(backend_->generate_resident_key(after), IsOk());
  EXPECT_EQ(generations(KeyAlgorithm::EcP256) - again, 1U);
  for (const ResidentKeySpec& spec : specs) destroy(spec);
  destroy(after);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
