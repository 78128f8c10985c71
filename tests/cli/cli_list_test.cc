// SPDX-License-Identifier: Apache-2.0
// list beyond keys: certificates and data objects, the filters, and --attributes, which must
// never reveal a key's secret value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include <fmt/format.h>

#include "cli/cli_objects_util.h"
#include "cli/cli_runner.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// 32 known key bytes, stored as a non-sensitive secret key by pkcs11-tool: what --attributes
// must not print.
constexpr std::string_view kPlainKeyHex =
    "5ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2";

class CliList : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const auto in_dir = [](std::string_view name) { return (dir_->path() / name).string(); };
    const CommandResult made = run_command(fmt::format(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '{}' "
        "-subj /CN=list-cert -days 1 -outform DER -out '{}' 2>&1 && printf 'list data' > '{}' "
        "&& printf '{}' | xxd -r -p > '{}'",
        in_dir("k.pem"), in_dir("cert.der"), in_dir("data.bin"), kPlainKeyHex, in_dir("aes.key")));
    ASSERT_EQ(made.exit_code, 0) << made.output;
    pkcs11_tool(fmt::format("--write-object '{}' --type cert --label list-cert --id 0f01",
                            in_dir("cert.der")));
    pkcs11_tool(
        fmt::format("--write-object '{}' --type data --label list-data "
                    "--application-label list-app",
                    in_dir("data.bin")));
    pkcs11_tool(
        fmt::format("--write-object '{}' --type secrkey --key-type AES:32 --label "
                    "list-plain --id 0f04",
                    in_dir("aes.key")));
    ASSERT_EQ(run_on_token("keygen --type ec --label list-ec --id 0f02").exit_code, 0);
    ASSERT_EQ(run_on_token("keygen --type aes --label list-aes --id 0f03").exit_code, 0);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static TempDir* dir_;
};

TempDir* CliList::dir_ = nullptr;

TEST_F(CliList, ShowsCertificatesAndDataObjects) {
  const Json listed = list_json("--label list-cert");
  const Json& certs = listed.at("certificates");
  ASSERT_EQ(certs.size(), 1u) << listed.dump();
  EXPECT_EQ(certs[0].at("label"), "list-cert");
  EXPECT_EQ(certs[0].at("id"), "0f01");
  EXPECT_EQ(certs[0].at("class"), "cert");
  EXPECT_EQ(certs[0].at("type"), "X.509");
  EXPECT_GT(certs[0].at("bytes").get<int>(), 100);
  EXPECT_THAT(certs[0].at("uri").get<std::string>(),
              HasSubstr("object=list-cert;id=%0F%01;type=cert"));
  const Json data_listed = list_json("--label list-data");
  const Json& data = data_listed.at("data");
  ASSERT_EQ(data.size(), 1u) << data_listed.dump();
  EXPECT_EQ(data[0].at("application"), "list-app");
  EXPECT_EQ(data[0].at("bytes"), 9);

  const CommandResult table = run_on_token("list");
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr("list-cert"));
  EXPECT_THAT(table.output, HasSubstr("X.509"));
  EXPECT_THAT(table.output, HasSubstr("data list-app"));
}

TEST_F(CliList, FiltersNarrowTheList) {
  const auto count = [](std::string_view args) {
    const Json listed = list_json(args);
    return listed.at("keys").size() + listed.at("certificates").size() + listed.at("data").size();
  };
  EXPECT_EQ(count("--class cert --label list-cert"), 1u);
  EXPECT_EQ(count("--class data --label list-data"), 1u);
  EXPECT_EQ(count("--class cert --label list-data"), 0u);
  EXPECT_EQ(count("--label list-ec"), 2u);
  EXPECT_EQ(count("--label list-ec --class private"), 1u);
  EXPECT_EQ(count("--label list-ec --type ec"), 2u);
  EXPECT_EQ(count("--label list-ec --type rsa"), 0u);
  EXPECT_EQ(count("--id 0f03"), 1u);
  EXPECT_EQ(count("--id 0F:03 --class secret"), 1u);
  EXPECT_EQ(count("--id 0f01 --type aes"), 0u);  // a certificate has no key type
  EXPECT_EQ(count("--label no-such-label"), 0u);

  const CommandResult empty = run_on_token("list --label no-such-label");
  EXPECT_EQ(empty.exit_code, 0) << empty.output;
  EXPECT_THAT(empty.output, HasSubstr("no objects on the token match"));
  for (const char* bad : {"--class key", "--type des", "--id xyz"}) {
    const CommandResult refused = run_on_token(fmt::format("list {}", bad));
    EXPECT_EQ(refused.exit_code, 2) << bad << ": " << refused.output;
    EXPECT_THAT(refused.output, HasSubstr("InvalidArgument"));
  }
}

TEST_F(CliList, AttributesNeverRevealASecretValue) {
  const Json listed = list_json("--attributes --label list-plain");
  ASSERT_EQ(listed.at("keys").size(), 1u) << listed.dump();
  const Json& attributes = listed.at("keys")[0].at("attributes");
  EXPECT_EQ(attributes.at("CKA_CLASS"), "CKO_SECRET_KEY");
  EXPECT_EQ(attributes.at("CKA_KEY_TYPE"), "CKK_AES");
  EXPECT_EQ(attributes.at("CKA_SENSITIVE"), "false");  // the token would hand it over
  EXPECT_EQ(attributes.at("CKA_VALUE"), "<sensitive>");
  EXPECT_EQ(attributes.at("CKA_ID"), "0f04");
  EXPECT_EQ(attributes.at("CKA_LABEL"), "list-plain");

  for (const char* args : {"--attributes", "--attributes --json"}) {
    const CommandResult all = run_on_token(fmt::format("list {}", args));
    ASSERT_EQ(all.exit_code, 0) << all.output;
    EXPECT_THAT(all.output, Not(HasSubstr(kPlainKeyHex))) << args;
    EXPECT_THAT(all.output, Not(HasSubstr(kPlainKeyHex.substr(0, 16)))) << args;
  }

  const Json ec = list_json("--attributes --label list-ec --class private");
  const Json& private_attributes = ec.at("keys")[0].at("attributes");
  EXPECT_EQ(private_attributes.at("CKA_VALUE"), "<sensitive>");
  EXPECT_EQ(private_attributes.at("CKA_EC_PARAMS"), "06082a8648ce3d030107");
  EXPECT_FALSE(private_attributes.contains("CKA_PRIVATE_EXPONENT"));  // not an RSA key

  const Json cert = list_json("--attributes --class cert --label list-cert");
  const Json& cert_attributes = cert.at("certificates")[0].at("attributes");
  EXPECT_EQ(cert_attributes.at("CKA_CERTIFICATE_TYPE"), "CKC_X_509");
  EXPECT_FALSE(cert_attributes.at("CKA_VALUE").get<std::string>().empty());  // public

  const CommandResult table = run_on_token("list --attributes --label list-ec");
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr("  CKA_EC_POINT"));
  EXPECT_THAT(table.output, HasSubstr("<sensitive>"));
}

}  // namespace
}  // namespace craton::hsm::testing
