// SPDX-License-Identifier: Apache-2.0
// A URI means all it says: every RFC 7512 attribute of a --key URI is checked against the
// configured module, slot and token (or refused), `info` prints each token's URI, and a token
// URI's pin-source is read like pin_file. Runs against two tokens of the binary's SoftHSM2
// world, so "another slot" is a real slot holding a same-named key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// A PIN-looking string no test output may ever contain.
constexpr std::string_view kSecretMarker = "pin-9f3e7c1d";

// `info --json` of the module, parsed; every test starts from what the module reports.
Json module_info() {
  const CommandResult result = run_cli(fmt::format("info {} --json", module_args()));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return Json::parse(result.output);
}

Json token_named(const Json& info, std::string_view label) {
  for (const Json& token : info["tokens"]) {
    if (token["label"] == label) return token;
  }
  ADD_FAILURE() << "no token labelled " << label;
  return Json::object();
}

std::string slot_of(std::string_view label) {
  return std::to_string(token_named(module_info(), label)["slot_id"].get<std::uint64_t>());
}

// One key labelled `label` on each of the two tokens: a URI that names the other token must
// not reach the configured token's key of the same label.
void make_key_on_both_tokens(std::string_view label) {
  const CommandResult here =
      run_on_token(fmt::format("keygen --type ec --curve p256 --label {}", label));
  ASSERT_EQ(here.exit_code, 0) << here.output;
  const CommandResult there =
      run_cli(fmt::format("--module '{}' --token-label {} keygen --type ec --curve p256 --label {}",
                          kModulePath, kSpareTokenLabel, label),
              pin_env());
  ASSERT_EQ(there.exit_code, 0) << there.output;
}

CommandResult sign_with(const TempDir& dir, std::string_view key_uri) {
  const fs::path data = dir.write("data.txt", "signed by the URI test\n");
  return run_on_token(fmt::format("sign --key '{}' --scheme ecdsa-p256-sha256 --in '{}' --out '{}'",
                                  key_uri, data.string(), (dir.path() / "data.sig").string()));
}

class CliKeyUri : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { make_key_on_both_tokens("uri-k"); }
  TempDir dir_;
};

TEST_F(CliKeyUri, SlotIdOfAnotherTokenIsRefusedNamingBothSlots) {
  const std::string spare = slot_of(kSpareTokenLabel);
  const std::string mine = slot_of(kTokenLabel);
  const CommandResult result =
      sign_with(dir_, fmt::format("pkcs11:slot-id={};object=uri-k", spare));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("slot-id"));
  EXPECT_THAT(result.output, HasSubstr(spare));
  EXPECT_THAT(result.output, HasSubstr(mine));
  EXPECT_FALSE(fs::exists(dir_.path() / "data.sig"));
}

TEST_F(CliKeyUri, EveryLocationAttributeThatDiffersIsRefusedByName) {
  // Each one differs from SoftHSM2's value; each was ignored before (the key signed).
  for (const char* attribute :
       {"slot-description=Another%20slot", "slot-manufacturer=Another%20vendor",
        "library-manufacturer=Another%20vendor", "library-description=Another%20library",
        "library-version=99.1"}) {
    const std::string name = std::string(attribute).substr(0, std::string(attribute).find('='));
    const CommandResult result = sign_with(dir_, fmt::format("pkcs11:{};object=uri-k", attribute));
    EXPECT_EQ(result.exit_code, 2) << attribute << ": " << result.output;
    EXPECT_THAT(result.output, HasSubstr(name)) << attribute;
  }
  for (const char* query : {"module-name=opensc-pkcs11", "module-path=/usr/lib/other/libp11.so"}) {
    const std::string name = std::string(query).substr(0, std::string(query).find('='));
    const CommandResult result = sign_with(dir_, fmt::format("pkcs11:object=uri-k?{}", query));
    EXPECT_EQ(result.exit_code, 2) << query << ": " << result.output;
    EXPECT_THAT(result.output, HasSubstr(name)) << query;
  }
}

TEST_F(CliKeyUri, AttributesThatDescribeTheConfiguredTokenAreAccepted) {
  const Json info = module_info();
  const Json mine = token_named(info, kTokenLabel);
  const std::string version = info["library"]["library_version"];
  // Percent-encoded values compare decoded ("SoftHSM%20project" is "SoftHSM project").
  const std::string uri = fmt::format(
      "pkcs11:token=ci%2Dtoken;slot-id={};library-version={};object=uri-k?module-name=softhsm2"
      "&module-path={}",
      mine["slot_id"].get<std::uint64_t>(), version, kModulePath);
  const CommandResult result = sign_with(dir_, uri);
  EXPECT_EQ(result.exit_code, 0) << uri << ": " << result.output;
}

// RFC 7512 §2.3: module-name is the library's file name without the "lib" prefix and without
// the suffix, so libsofthsm2.so is "softhsm2" and nothing else.
TEST_F(CliKeyUri, ModuleNameFollowsRfc7512) {
  EXPECT_EQ(sign_with(dir_, "pkcs11:object=uri-k?module-name=softhsm2").exit_code, 0);
  for (const char* wrong : {"libsofthsm2", "softhsm2.so", "libsofthsm2.so", "SOFTHSM2"}) {
    const CommandResult result =
        sign_with(dir_, fmt::format("pkcs11:object=uri-k?module-name={}", wrong));
    EXPECT_EQ(result.exit_code, 2) << wrong << ": " << result.output;
    EXPECT_THAT(result.output, HasSubstr("module-name")) << wrong;
    EXPECT_THAT(result.output, HasSubstr("softhsm2")) << wrong;  // what it should have been
  }
}

// "M" means "M.0" (as p11-kit reads it): SoftHSM2 2.x is not "library-version=2" unless its
// minor version is 0.
TEST_F(CliKeyUri, LibraryVersionMajorAloneMeansMinorZero) {
  const std::string version = module_info()["library"]["library_version"];
  const std::string major = version.substr(0, version.find('.'));
  const std::string minor = version.substr(version.find('.') + 1);
  const CommandResult result =
      sign_with(dir_, fmt::format("pkcs11:library-version={};object=uri-k", major));
  EXPECT_EQ(result.exit_code, minor == "0" ? 0 : 2) << result.output;
  if (minor != "0") {
    EXPECT_THAT(result.output, HasSubstr(version));
  }
}

TEST_F(CliKeyUri, HostileValuesAreRefusedBeforeTheTokenIsOpened) {
  for (const char* uri :
       {"pkcs11:slot-id=18446744073709551616;object=uri-k",  // 2^64
        "pkcs11:library-version=1.x;object=uri-k", "pkcs11:slot-id=1;slot-id=1;object=uri-k",
        "pkcs11:object=uri-k;object=uri-k", "pkcs11:token=%ZZ;object=uri-k"}) {
    const CommandResult result = sign_with(dir_, uri);
    EXPECT_EQ(result.exit_code, 2) << uri << ": " << result.output;
    EXPECT_THAT(result.output, HasSubstr("--key")) << uri;
  }
}

TEST_F(CliKeyUri, AKekUriIsCheckedToo) {
  const std::string spare = slot_of(kSpareTokenLabel);
  const fs::path material = dir_.write("material.bin", std::string(32, 'k'));
  const CommandResult result =
      run_on_token(fmt::format("wrap --kek 'pkcs11:slot-id={};object=uri-k' --scheme kw --in "
                               "'{}' --out '{}'",
                               spare, material.string(), (dir_.path() / "w.bin").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("slot-id"));
}

// The login comes from the configuration; a key URI that carried a PIN source would either be
// ignored or log in a second time, so it is refused, and its value never repeated.
TEST_F(CliKeyUri, PinSourceInAKeyUriIsRefusedWithoutEchoingIt) {
  const std::string uri = fmt::format("pkcs11:object=uri-k?pin-source=file:/tmp/{}", kSecretMarker);
  const CommandResult result = sign_with(dir_, uri);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("pin-source"));
  EXPECT_THAT(result.output, Not(HasSubstr(kSecretMarker)));
  const CommandResult value =
      sign_with(dir_, fmt::format("pkcs11:object=uri-k?pin-value={}", kSecretMarker));
  EXPECT_EQ(value.exit_code, 2) << value.output;
  EXPECT_THAT(value.output, Not(HasSubstr(kSecretMarker)));
}

// --- info prints each token's URI, and that URI selects the token ------------------------

std::string config_with_uri(const TempDir& dir, std::string_view uri, std::string_view name) {
  return dir
      .write(name, fmt::format("library_path = \"{}\"\ntoken_uri = \"{}\"\n", kModulePath, uri))
      .string();
}

TEST(CliInfoUri, TextAndJsonPrintEachTokensUriAndItSelectsThatToken) {
  const Json info = module_info();
  ASSERT_GE(info["tokens"].size(), 2u);
  const CommandResult text = run_cli(fmt::format("info {}", module_args()));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  TempDir dir;
  for (const Json& token : info["tokens"]) {
    ASSERT_TRUE(token.contains("uri")) << token.dump();
    const std::string uri = token["uri"];
    EXPECT_THAT(uri, ::testing::StartsWith("pkcs11:"));
    EXPECT_THAT(text.output, HasSubstr(uri));
    const std::string config =
        config_with_uri(dir, uri, token["label"].get<std::string>() + ".toml");
    // With a PIN, standard error carries no "not logged in" note: the output is the JSON.
    const CommandResult selected =
        run_cli(fmt::format("--config '{}' info --json", config), pin_env());
    ASSERT_EQ(selected.exit_code, 0) << uri << ": " << selected.output;
    EXPECT_EQ(Json::parse(selected.output)["selected_slot"], token["slot_id"]) << uri;
  }
}

// --- pin-source in the configuration's token_uri ------------------------------------------

fs::path pin_file(const TempDir& dir, std::string_view name, fs::perms perms) {
  return dir.write(name, fmt::format("{}\n", kUserPin), perms);
}

std::string token_uri_config(const TempDir& dir, std::string_view pin_source) {
  return config_with_uri(dir, fmt::format("pkcs11:token={}?pin-source={}", kTokenLabel, pin_source),
                         "token.toml");
}

// Runs a command that needs the login, with no PIN in the environment and no terminal.
CommandResult run_unlogged(const std::string& config, std::string_view command) {
  return run_cli(fmt::format("--config '{}' {} < /dev/null", config, command),
                 "env -u CRATON_HSM_PIN");
}

TEST(CliPinSource, FileUriAndPlainPathBothGiveTheLogin) {
  TempDir dir;
  const fs::path pin = pin_file(dir, "pin", fs::perms::owner_read | fs::perms::owner_write);
  for (const std::string& source : {fmt::format("file:{}", pin.string()), pin.string()}) {
    const CommandResult made =
        run_unlogged(token_uri_config(dir, source),
                     fmt::format("keygen --type aes --size 128 --label pin-source-{}",
                                 source.starts_with("file:") ? "file" : "path"));
    EXPECT_EQ(made.exit_code, 0) << source << ": " << made.output;
    EXPECT_THAT(made.output, Not(HasSubstr(kUserPin))) << made.output;
  }
}

TEST(CliPinSource, PermissionRulesOfPinFileApplyAndContentsAreNeverPrinted) {
  TempDir dir;
  const fs::path readable = dir.write("readable", std::string(kSecretMarker),
                                      fs::perms::owner_read | fs::perms::owner_write |
                                          fs::perms::group_read | fs::perms::others_read);
  const fs::path target = pin_file(dir, "target", fs::perms::owner_read | fs::perms::owner_write);
  const fs::path link = dir.path() / "link";
  fs::create_symlink(target, link);
  const fs::path missing = dir.path() / "missing";
  for (const fs::path& path : {readable, link, missing}) {
    const CommandResult result =
        run_unlogged(token_uri_config(dir, fmt::format("file:{}", path.string())), "list");
    EXPECT_EQ(result.exit_code, 2) << path << ": " << result.output;
    EXPECT_THAT(result.output, HasSubstr(path.string()));       // the path may be named...
    EXPECT_THAT(result.output, Not(HasSubstr(kSecretMarker)));  // ...its contents never
    EXPECT_THAT(result.output, Not(HasSubstr(kUserPin)));
  }
}

TEST(CliPinSource, CommandsAndUnsupportedSourcesAreRefused) {
  TempDir dir;
  for (const std::string& source :
       {fmt::format("%7C/bin/echo%20{}", kSecretMarker), fmt::format("relative/{}", kSecretMarker),
        fmt::format("https://example.com/{}", kSecretMarker)}) {
    const CommandResult result = run_unlogged(token_uri_config(dir, source), "list");
    EXPECT_EQ(result.exit_code, 2) << source << ": " << result.output;
    EXPECT_THAT(result.output, HasSubstr("pin-source"));
    EXPECT_THAT(result.output, Not(HasSubstr(kSecretMarker)));
  }
}

}  // namespace
}  // namespace craton::hsm::testing
