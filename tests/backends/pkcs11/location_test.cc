// SPDX-License-Identifier: Apache-2.0
// Where a backend works, as URIs: token_uri_of (what `info` prints, usable as token_uri) and
// Pkcs11Backend::describe_location (what a --key URI is checked against).
#include <craton/hsm/config.h>
#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/pkcs11_info.h>

#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"
#include "support/softhsm_config.h"
#include "support/softhsm_module.h"
#include "support/softhsm_token.h"

namespace craton::hsm {
namespace {

using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::kModulePath;
using ::craton::hsm::testing::kSpareTokenLabel;
using ::craton::hsm::testing::kTokenLabel;
using ::craton::hsm::testing::slot_of;
using ::craton::hsm::testing::softhsm_module;

Pkcs11PassthroughConfig module_only() {
  Pkcs11PassthroughConfig config;
  config.library_path = std::string(kModulePath);
  return config;
}

TEST(TokenUriOf, SelectsExactlyTheTokenItWasMadeFrom) {
  auto info = describe_pkcs11_module(module_only());
  ASSERT_THAT(info, IsOk());
  for (const Pkcs11TokenInfo& token : info->tokens) {
    if (token.label.empty()) continue;  // an uninitialised token has no identity to select
    const Pkcs11Uri uri = token_uri_of(token);
    EXPECT_EQ(uri.token, token.label);
    EXPECT_EQ(uri.serial, token.serial);
    EXPECT_FALSE(uri.slot_id) << "slot ids move; the URI names the token";
    Pkcs11PassthroughConfig config = module_only();
    config.token_uri = Pkcs11Uri::parse(uri.to_string()).value();
    auto selected = describe_pkcs11_module(config);
    ASSERT_THAT(selected, IsOk()) << uri;
    EXPECT_EQ(selected->selected_slot, token.slot_id) << uri;
  }
}

TEST(DescribeLocation, StatesSlotLibraryAndModuleOfTheConfiguredToken) {
  auto backend = make_pkcs11_backend(testing::softhsm_config());
  ASSERT_THAT(backend, IsOk());
  auto location = (*backend)->describe_location();
  ASSERT_THAT(location, IsOk());
  auto info = describe_pkcs11_module(module_only());
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(location->token, kTokenLabel);
  EXPECT_EQ(location->slot_id, slot_of(*softhsm_module(), kTokenLabel));
  EXPECT_FALSE(location->slot_description.value_or("").empty());
  EXPECT_FALSE(location->slot_manufacturer.value_or("").empty());
  EXPECT_EQ(location->library_manufacturer, info->library.manufacturer);
  EXPECT_EQ(location->library_description, info->library.description);
  EXPECT_EQ(location->library_version, fmt::format("{}.{}", info->library.library_version.major,
                                                   info->library.library_version.minor));
  EXPECT_EQ(location->module_path, kModulePath);  // as configured, not as resolved
  EXPECT_EQ(location->module_name, "softhsm2");   // RFC 7512 §2.3
  // token_uri() is the stable part of it, the one key URIs carry.
  Pkcs11Uri stable = Pkcs11Uri::parse((*backend)->token_uri()).value();
  EXPECT_FALSE(stable.first_mismatch(*location));
  EXPECT_FALSE(stable.slot_id);

  // The spare token's slot is not this one: a URI naming it does not match.
  Pkcs11Uri other;
  other.slot_id = slot_of(*softhsm_module(), kSpareTokenLabel);
  const auto mismatch = other.first_mismatch(*location);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->attribute, "slot-id");
}

}  // namespace
}  // namespace craton::hsm
