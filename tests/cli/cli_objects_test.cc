// SPDX-License-Identifier: Apache-2.0
// list, destroy and export-pub on objects other tools made: keys without label or id, keys
// sharing a label, and the --handle that names them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_objects_util.h"
#include "cli/cli_runner.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;

// The --key (and --handle) that addresses a listed object.
std::string selector(const Json& key) {
  std::string args = fmt::format("--key '{}'", key.at("uri").get<std::string>());
  if (key.at("needs_handle").get<bool>()) {
    args += fmt::format(" --handle {}", key.at("handle").get<std::uint64_t>());
  }
  return args;
}

// Keys with neither label nor id, made by pkcs11-tool; the label of other tests' keys is never
// empty, so these are the nameless ones.
std::vector<Json> nameless_keys() {
  std::vector<Json> found;
  const Json listed = list_json();
  for (const Json& key : listed.at("keys")) {
    if (key.at("label") == "" && key.at("id") == "") found.push_back(key);
  }
  return found;
}

// pkcs11-tool leaves CKA_LABEL and CKA_ID unset unless told: `list` printed a URI for such
// keys that every --key refused, so they could be neither exported nor destroyed. Every row
// must now name exactly its object, with --handle where the URI cannot. The token's handles
// may change when objects go, so the list is read again after each destroy (as documented).
TEST(CliObjects, EveryListedNamelessKeyCanBeExportedAndDestroyed) {
  ASSERT_TRUE(nameless_keys().empty());
  pkcs11_tool("--keypairgen --key-type EC:prime256v1");
  pkcs11_tool("--keypairgen --key-type rsa:2048");
  pkcs11_tool("--keygen --key-type AES:32");
  const std::vector<Json> made = nameless_keys();
  ASSERT_EQ(made.size(), 5u) << list_json().dump();

  for (const Json& key : made) {
    EXPECT_TRUE(key.at("needs_handle").get<bool>()) << key.dump();
    const std::string cls = key.at("class").get<std::string>();
    if (cls == "secret-key") continue;
    const CommandResult exported = run_on_token(fmt::format("export-pub {}", selector(key)));
    if (cls == "private" && key.at("type") != "RSA") {
      // An EC private key without an id has no public value of its own, and no id that
      // leads to its public half: refused with that reason, not a wrong key.
      EXPECT_EQ(exported.exit_code, 3) << exported.output;
      EXPECT_THAT(exported.output, HasSubstr("CKA_ID")) << exported.output;
      continue;
    }
    EXPECT_EQ(exported.exit_code, 0) << key.dump() << exported.output;
    EXPECT_THAT(exported.output, HasSubstr("BEGIN PUBLIC KEY")) << exported.output;
  }

  for (std::size_t left = made.size(); left > 0; --left) {
    const std::vector<Json> now = nameless_keys();
    ASSERT_EQ(now.size(), left);
    const CommandResult destroyed =
        run_on_token(fmt::format("destroy {} --yes", selector(now.front())));
    ASSERT_EQ(destroyed.exit_code, 0) << now.front().dump() << destroyed.output;
    EXPECT_THAT(destroyed.output, HasSubstr("destroyed "));
  }
  EXPECT_TRUE(nameless_keys().empty());
}

// Two pairs with one label and no id: the label names both, so each row carries a handle, and
// destroying one leaves the other.
TEST(CliObjects, KeysSharingALabelAreAddressedOneByOne) {
  pkcs11_tool("--keypairgen --key-type EC:prime256v1 --label objects-twin");
  pkcs11_tool("--keypairgen --key-type EC:prime256v1 --label objects-twin");
  std::vector<Json> twins = keys_labelled("objects-twin");
  ASSERT_EQ(twins.size(), 4u);
  for (const Json& key : twins) EXPECT_TRUE(key.at("needs_handle").get<bool>()) << key.dump();

  // The bare URI is ambiguous, and says so.
  const CommandResult ambiguous = run_on_token(
      fmt::format("destroy --key '{}' --yes", twins.front().at("uri").get<std::string>()));
  EXPECT_EQ(ambiguous.exit_code, 3) << ambiguous.output;
  EXPECT_THAT(ambiguous.output, HasSubstr("KeyAmbiguous"));

  const Json first = twins.front();
  const CommandResult destroyed = run_on_token(fmt::format("destroy {} --yes", selector(first)));
  ASSERT_EQ(destroyed.exit_code, 0) << destroyed.output;
  twins = keys_labelled("objects-twin");
  ASSERT_EQ(twins.size(), 3u);
  while (!twins.empty()) {
    const CommandResult next = run_on_token(fmt::format("destroy {} --yes", selector(twins[0])));
    ASSERT_EQ(next.exit_code, 0) << twins[0].dump() << next.output;
    twins = keys_labelled("objects-twin");
  }
}

// A key with a unique label or id needs no handle; a handle that names another class, label or
// id than the URI says is refused, and nothing is destroyed.
TEST(CliObjects, AHandleThatNamesAnotherObjectIsRefused) {
  ASSERT_EQ(run_on_token("keygen --type aes --label objects-aes --id 0c01").exit_code, 0);
  ASSERT_EQ(run_on_token("keygen --type ec --label objects-ec --id 0c02").exit_code, 0);
  const std::vector<Json> aes = keys_labelled("objects-aes");
  const std::vector<Json> ec = keys_labelled("objects-ec");
  ASSERT_EQ(aes.size(), 1u);
  ASSERT_EQ(ec.size(), 2u);
  EXPECT_FALSE(aes[0].at("needs_handle").get<bool>());
  const auto aes_handle = aes[0].at("handle").get<std::uint64_t>();
  const Json& ec_private = ec[0].at("class") == "private" ? ec[0] : ec[1];
  const auto ec_handle = ec_private.at("handle").get<std::uint64_t>();

  for (const std::string& args :
       {fmt::format("--key 'pkcs11:type=secret-key' --handle {}", ec_handle),
        fmt::format("--key 'pkcs11:type=private' --handle {}", ec_handle),
        fmt::format("--key 'pkcs11:object=objects-aes;type=secret-key' --handle {}", ec_handle),
        fmt::format("--key 'pkcs11:object=objects-ec;type=private' --handle {}", aes_handle),
        std::string("--key 'pkcs11:type=private' --handle 999999")}) {
    const CommandResult refused = run_on_token(fmt::format("destroy {} --yes", args));
    EXPECT_EQ(refused.exit_code, 3) << args << ": " << refused.output;
    EXPECT_THAT(refused.output, HasSubstr("KeyNotFound")) << refused.output;
  }
  const CommandResult no_type = run_on_token(
      fmt::format("destroy --key 'pkcs11:object=objects-aes' --handle {} --yes", aes_handle));
  EXPECT_EQ(no_type.exit_code, 2) << no_type.output;
  EXPECT_THAT(no_type.output, HasSubstr("type="));
  EXPECT_EQ(keys_labelled("objects-aes").size(), 1u);
  EXPECT_EQ(keys_labelled("objects-ec").size(), 2u);

  // The right handle with the full names works, also where the URI alone would.
  const CommandResult destroyed = run_on_token(fmt::format(
      "destroy --key '{}' --handle {} --yes", aes[0].at("uri").get<std::string>(), aes_handle));
  EXPECT_EQ(destroyed.exit_code, 0) << destroyed.output;
  EXPECT_TRUE(keys_labelled("objects-aes").empty());
  EXPECT_EQ(run_on_token("destroy --key 'pkcs11:object=objects-ec' --yes").exit_code, 0);
}

}  // namespace
}  // namespace craton::hsm::testing
