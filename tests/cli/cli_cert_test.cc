// SPDX-License-Identifier: Apache-2.0
// import --cert and export-cert: a certificate openssl made goes onto the token and comes back
// byte for byte, PEM or DER, named by its own URI or by its key's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_audit_util.h"
#include "cli/cli_objects_util.h"
#include "cli/cli_runner.h"
#include "support/softhsm_token.h"
#include "support/text.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;

class CliCert : public ::testing::Test {
 protected:
  void SetUp() override {
    const CommandResult made = run_command(fmt::format(
        "cd '{}' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-keyout key.pem -subj '/CN=cert test/O=Craton' -days 2 -out cert.pem 2>&1 && "
        "openssl x509 -in cert.pem -outform DER -out cert.der && "
        "openssl x509 -in cert.pem -out canonical.pem",
        dir_.path().string()));
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  std::string in_dir(std::string_view name) const { return (dir_.path() / name).string(); }
  // cmp of two files in the directory.
  void expect_same(std::string_view a, std::string_view b) const {
    const CommandResult compared =
        run_command(fmt::format("cmp '{}' '{}' 2>&1", in_dir(a), in_dir(b)));
    EXPECT_EQ(compared.exit_code, 0) << a << " vs " << b << ": " << compared.output;
  }

  TempDir dir_;
};

TEST_F(CliCert, RoundTripsByteForByteByItsUriAndByItsKeys) {
  ASSERT_EQ(
      run_on_token(fmt::format("import --in '{}' --label cert-key --id 1c01", in_dir("key.pem")))
          .exit_code,
      0);
  const CommandResult stored = run_on_token(
      fmt::format("import --cert '{}' --label cert-one --id 1c01", in_dir("cert.pem")));
  ASSERT_EQ(stored.exit_code, 0) << stored.output;
  EXPECT_THAT(stored.output, HasSubstr("object=cert-one;id=%1C%01;type=cert"));

  const std::string by_uri = "--cert 'pkcs11:object=cert-one;type=cert'";
  ASSERT_EQ(
      run_on_token(fmt::format("export-cert {} --out '{}'", by_uri, in_dir("out.der"))).exit_code,
      0);
  expect_same("out.der", "cert.der");
  ASSERT_EQ(run_on_token(fmt::format("export-cert {} --pem --out '{}'", by_uri, in_dir("out.pem")))
                .exit_code,
            0);
  expect_same("out.pem", "canonical.pem");
  const CommandResult by_key = run_on_token(
      fmt::format("export-cert --key 'pkcs11:object=cert-key' --out '{}'", in_dir("by-key.der")));
  ASSERT_EQ(by_key.exit_code, 0) << by_key.output;
  expect_same("by-key.der", "cert.der");
  const CommandResult pem_stdout = run_on_token("export-cert --cert 'pkcs11:id=%1C%01' --pem");
  ASSERT_EQ(pem_stdout.exit_code, 0) << pem_stdout.output;
  EXPECT_THAT(pem_stdout.output, HasSubstr("-----BEGIN CERTIFICATE-----"));

  // The attributes PKCS#11 wants beside it come from the certificate itself.
  const Json listed = list_json("--class cert --label cert-one --attributes");
  ASSERT_EQ(listed.at("certificates").size(), 1u) << listed.dump();
  const Json& attributes = listed.at("certificates")[0].at("attributes");
  EXPECT_EQ(attributes.at("CKA_CERTIFICATE_TYPE"), "CKC_X_509");
  EXPECT_EQ(attributes.at("CKA_PRIVATE"), "false");
  EXPECT_EQ(attributes.at("CKA_TOKEN"), "true");
  const CommandResult subject = run_command(fmt::format(
      "openssl x509 -in '{}' -noout -subject -nameopt RFC2253 && openssl x509 -in '{}' -noout "
      "-serial",
      in_dir("cert.pem"), in_dir("cert.pem")));
  ASSERT_EQ(subject.exit_code, 0);
  std::string serial = subject.output.substr(subject.output.find("serial=") + 7);
  serial = serial.substr(0, serial.find('\n'));
  std::ranges::transform(serial, serial.begin(), [](unsigned char c) { return std::tolower(c); });
  EXPECT_THAT(attributes.at("CKA_SERIAL_NUMBER").get<std::string>(), HasSubstr(serial));
  EXPECT_EQ(attributes.at("CKA_SUBJECT"), attributes.at("CKA_ISSUER"));  // self-signed
  // "cert test" in the DER subject
  EXPECT_THAT(attributes.at("CKA_SUBJECT").get<std::string>(), HasSubstr("636572742074657374"));

  // A DER file works the same.
  const CommandResult der = run_on_token(
      fmt::format("import --cert '{}' --label cert-der --id 1c02 --json", in_dir("cert.der")));
  ASSERT_EQ(der.exit_code, 0) << der.output;
  const Json made = Json::parse(der.output, nullptr, false);
  EXPECT_EQ(made.at("type"), "X.509");
  EXPECT_EQ(made.at("class"), "cert");
  ASSERT_EQ(run_on_token(fmt::format("export-cert --cert 'pkcs11:object=cert-der' --out '{}'",
                                     in_dir("der.der")))
                .exit_code,
            0);
  expect_same("der.der", "cert.der");
  EXPECT_EQ(run_on_token("destroy --key 'pkcs11:object=cert-key' --yes").exit_code, 0);
}

TEST_F(CliCert, HostileInputsAreRefused) {
  ASSERT_EQ(run_command(fmt::format("head -c 100 '{}' > '{}' && : > '{}'", in_dir("cert.der"),
                                    in_dir("cut.der"), in_dir("empty")))
                .exit_code,
            0);
  ASSERT_EQ(run_on_token(
                fmt::format("import --cert '{}' --label cert-taken --id 1c10", in_dir("cert.pem")))
                .exit_code,
            0);
  struct Case {
    std::string args;
    int exit_code;
    const char* says;
  };
  const Case cases[] = {
      {fmt::format("import --cert '{}' --label cert-bad", in_dir("key.pem")), 2, "--in"},
      {fmt::format("import --cert '{}' --label cert-bad", in_dir("cut.der")), 2, "not one whole"},
      {fmt::format("import --cert '{}' --label cert-bad", in_dir("empty")), 2, "is empty"},
      {fmt::format("import --cert '{}' --label cert-taken", in_dir("cert.der")), 3,
       "KeyAlreadyExists"},
      {fmt::format("import --cert '{}' --label cert-bad --id 1c10", in_dir("cert.der")), 3,
       "KeyAlreadyExists"},
      {fmt::format("import --cert '{}' --label cert-bad --usage sign", in_dir("cert.der")), 2,
       "--label and --id only"},
      {fmt::format("import --cert '{}' --in '{}' --label cert-bad", in_dir("cert.der"),
                   in_dir("key.pem")),
       2, "exactly one"},
      {"import --label cert-bad", 2, "exactly one"},
      {"export-cert --cert 'pkcs11:object=cert-taken;type=private'", 2, "not a certificate"},
      {"export-cert --cert 'pkcs11:object=cert-none'", 3, "KeyNotFound"},
      {"export-cert --cert 'pkcs11:type=cert'", 2, "names no certificate"},
      {"export-cert", 2, "exactly one"},
  };
  for (const Case& c : cases) {
    const CommandResult refused = run_on_token(c.args);
    EXPECT_EQ(refused.exit_code, c.exit_code) << c.args << ": " << refused.output;
    EXPECT_THAT(refused.output, HasSubstr(c.says)) << c.args;
  }
  EXPECT_EQ(list_json("--label cert-bad").at("certificates").size(), 0u);
  EXPECT_EQ(list_json("--label cert-taken").at("certificates").size(), 1u);

  // A key with no certificate of its id.
  ASSERT_EQ(run_on_token("keygen --type ec --label cert-lonely --id 1c11").exit_code, 0);
  const CommandResult lonely = run_on_token("export-cert --key 'pkcs11:object=cert-lonely'");
  EXPECT_EQ(lonely.exit_code, 3) << lonely.output;
  EXPECT_THAT(lonely.output, HasSubstr("KeyNotFound"));
  EXPECT_EQ(run_on_token("destroy --key 'pkcs11:object=cert-lonely' --yes").exit_code, 0);
}

// Every row list prints can be cleaned up, certificates and data objects included: by their
// URI with type=, or with --handle when nothing names them.
TEST_F(CliCert, CertificatesAndDataObjectsAreDestroyedByTheirListedUri) {
  ASSERT_EQ(run_on_token(
                fmt::format("import --cert '{}' --label cert-gone --id 1c20", in_dir("cert.pem")))
                .exit_code,
            0);
  ASSERT_EQ(run_command(fmt::format("printf 'payload' > '{}'", in_dir("data.bin"))).exit_code, 0);
  pkcs11_tool(fmt::format("--write-object '{}' --type data --label data-gone", in_dir("data.bin")));
  pkcs11_tool(fmt::format("--write-object '{}' --type data", in_dir("data.bin")));

  // Without type= a URI means a key: the certificate is not taken for one.
  const CommandResult keys_only = run_on_token("destroy --key 'pkcs11:object=cert-gone' --yes");
  EXPECT_EQ(keys_only.exit_code, 3) << keys_only.output;
  EXPECT_EQ(list_json("--label cert-gone").at("certificates").size(), 1u);

  // Handles may change when objects go: the list is read again after each destroy.
  const auto next_selector = []() -> std::optional<std::string> {
    const Json listed = list_json();
    for (const char* array : {"certificates", "data"}) {
      for (const Json& object : listed.at(array)) {
        const std::string label = object.at("label").get<std::string>();
        if (label != "cert-gone" && label != "data-gone" && !label.empty()) continue;
        std::string selector = fmt::format("--key '{}'", object.at("uri").get<std::string>());
        if (object.at("needs_handle").get<bool>()) {
          selector += fmt::format(" --handle {}", object.at("handle").get<std::uint64_t>());
        }
        return selector;
      }
    }
    return std::nullopt;
  };
  int destroyed_count = 0;
  for (auto selector = next_selector(); selector && destroyed_count < 5;
       selector = next_selector()) {
    const CommandResult destroyed = run_on_token(fmt::format("destroy {} --yes", *selector));
    ASSERT_EQ(destroyed.exit_code, 0) << *selector << ": " << destroyed.output;
    ++destroyed_count;
  }
  EXPECT_EQ(destroyed_count, 3);
  const Json after = list_json();
  for (const char* array : {"certificates", "data"}) {
    for (const Json& object : after.at(array)) {
      const std::string label = object.at("label").get<std::string>();
      EXPECT_TRUE(label != "cert-gone" && label != "data-gone" && !label.empty()) << after.dump();
    }
  }
}

// The trail names what happened to certificates as such, not as key operations.
TEST_F(CliCert, TheAuditTrailRecordsCertificateOperationsByTheirOwnNames) {
  const auto config =
      audited_config(dir_, fmt::format("key_file = \"{}\"", key_file(dir_).string()));
  const std::filesystem::path trail = dir_.path() / "audit.jsonl";
  ASSERT_EQ(run_configured(config,
                           fmt::format("import --cert '{}' --label cert-audit", in_dir("cert.pem")))
                .exit_code,
            0);
  ASSERT_EQ(
      run_configured(config, "export-cert --cert 'pkcs11:object=cert-audit;type=cert'").exit_code,
      0);
  ASSERT_EQ(run_configured(config, "list --class cert").exit_code, 0);
  EXPECT_EQ(records_of(trail, "certificate_import"), 1u) << read_file(trail);
  EXPECT_EQ(records_of(trail, "export_certificate"), 1u);
  EXPECT_EQ(records_of(trail, "list_objects"), 1u);
  EXPECT_EQ(records_of(trail, "key_import_resident") + records_of(trail, "export_public_key"), 0u);
  ASSERT_EQ(run_on_token("destroy --key 'pkcs11:object=cert-audit;type=cert' --yes").exit_code, 0);
}

}  // namespace
}  // namespace craton::hsm::testing
