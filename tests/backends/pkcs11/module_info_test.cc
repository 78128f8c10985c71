// SPDX-License-Identifier: Apache-2.0
// describe_pkcs11_module, the public API `craton-hsm info` speaks: tokens only without a
// selector, mechanisms of the selected token with one, and failures before any description.
#include <craton/hsm/config.h>
#include <craton/hsm/pkcs11_info.h>

#include <algorithm>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"
#include "support/softhsm_module.h"
#include "support/softhsm_token.h"

namespace craton::hsm {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::kModulePath;
using ::craton::hsm::testing::kSpareTokenLabel;
using ::craton::hsm::testing::kTokenLabel;
using ::craton::hsm::testing::slot_of;
using ::craton::hsm::testing::softhsm_module;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Pkcs11PassthroughConfig module_only() {
  Pkcs11PassthroughConfig config;
  config.library_path = std::string(kModulePath);
  return config;
}

bool lists_label(const Pkcs11ModuleInfo& info, std::string_view label) {
  return std::ranges::any_of(info.tokens, [&](const auto& token) { return token.label == label; });
}

TEST(DescribePkcs11Module, WithoutASelectorListsTheTokensOnly) {
  auto info = describe_pkcs11_module(module_only());
  ASSERT_THAT(info, IsOk());
  EXPECT_FALSE(info->module_path.empty());
  EXPECT_EQ(info->library.manufacturer, "SoftHSM");
  EXPECT_EQ(info->library.cryptoki_version.major, 2);
  EXPECT_EQ(info->library.cryptoki_version.minor, 40);
  EXPECT_TRUE(lists_label(*info, kTokenLabel));
  EXPECT_TRUE(lists_label(*info, kSpareTokenLabel));
  EXPECT_FALSE(info->selected_slot.has_value());
  EXPECT_THAT(info->mechanisms, IsEmpty());
}

TEST(DescribePkcs11Module, WithASelectorListsThatTokensMechanisms) {
  Pkcs11PassthroughConfig config = module_only();
  config.token_label = std::string(kTokenLabel);
  auto info = describe_pkcs11_module(config);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->selected_slot, slot_of(*softhsm_module()));
  EXPECT_TRUE(lists_label(*info, kSpareTokenLabel)) << "every token is still listed";
  const auto gcm = std::ranges::find(info->mechanisms, "CKM_AES_GCM", &Pkcs11MechanismInfo::name);
  ASSERT_NE(gcm, info->mechanisms.end());
  EXPECT_EQ(gcm->min_key_size, 16u);
  EXPECT_EQ(gcm->max_key_size, 32u);
  const auto flags = mechanism_flag_names(gcm->flags);
  EXPECT_NE(std::ranges::find(flags, "ENCRYPT"), flags.end());
}

TEST(DescribePkcs11Module, AWrongSelectorOrConfigFailsBeforeAnyDescription) {
  Pkcs11PassthroughConfig config = module_only();
  config.token_label = "no-such-token";
  auto missing = describe_pkcs11_module(config);
  EXPECT_THAT(missing, HasErrorCode(ErrorCode::TokenNotFound));
  EXPECT_THAT(missing.error().message(), HasSubstr(kTokenLabel)) << "names the tokens present";

  config.token_label = std::string(kTokenLabel);
  config.pool_size = 0;
  EXPECT_THAT(describe_pkcs11_module(config), HasErrorCode(ErrorCode::ConfigInvalid));

  Pkcs11PassthroughConfig relative;
  relative.library_path = "libsofthsm2.so";
  EXPECT_THAT(describe_pkcs11_module(relative), HasErrorCode(ErrorCode::ConfigInvalid))
      << "without a selector the loader's path rules still apply";
  relative.library_path = "/nonexistent/libpkcs11.so";
  EXPECT_THAT(describe_pkcs11_module(relative), HasErrorCode(ErrorCode::LibraryLoad));
}

TEST(Pkcs11FlagNames, SpellTheKnownBitsInBitOrder) {
  // CKF_RNG 0x1, CKF_LOGIN_REQUIRED 0x4, CKF_TOKEN_INITIALIZED 0x400, and an unnamed 0x8000'0000.
  EXPECT_THAT(token_flag_names(0x8000'0405),
              ElementsAre("RNG", "LOGIN_REQUIRED", "TOKEN_INITIALIZED"));
  // CKF_ENCRYPT 0x100, CKF_SIGN 0x800, CKF_EC_NAMEDCURVE 0x800000.
  EXPECT_THAT(mechanism_flag_names(0x80'0900), ElementsAre("ENCRYPT", "SIGN", "EC_NAMEDCURVE"));
  EXPECT_THAT(token_flag_names(0), IsEmpty());
}

}  // namespace
}  // namespace craton::hsm
