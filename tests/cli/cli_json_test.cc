// SPDX-License-Identifier: Apache-2.0
// Every command with --json, succeeding and failing: standard output holds one JSON object (the
// result) and standard error one JSON error object, and every field either uses is named in
// docs/cli-json.md (read here, so the page and the output cannot drift apart).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_audit_util.h"
#include "cli/cli_runner.h"
#include "support/softhsm_token.h"
#include "support/text.h"

namespace craton::hsm::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// The field paths docs/cli-json.md names per command: the first cell of every table row under
// a "### `craton-hsm CMD --json`" heading ("encrypt" and "decrypt" share one), and under
// "## Errors" for "error". A path ending in ".*" stands for everything below it.
std::map<std::string, std::set<std::string>> documented_fields() {
  std::map<std::string, std::set<std::string>> fields;
  std::istringstream doc(read_file(CRATON_CLI_JSON_DOC));
  const std::regex code_span("`([^`]+)`");
  std::vector<std::string> current;
  for (std::string line; std::getline(doc, line);) {
    if (line.starts_with("#")) {
      current.clear();
      if (line == "## Errors") current.emplace_back("error");
      if (!line.starts_with("### ")) continue;
      for (std::sregex_iterator it(line.begin(), line.end(), code_span), end; it != end; ++it) {
        std::string name = (*it)[1].str();
        if (name.starts_with("craton-hsm ")) name.erase(0, 11);
        if (name.ends_with(" --json")) name.erase(name.size() - 7);
        current.push_back(name);
      }
      continue;
    }
    if (current.empty() || !line.starts_with("| `")) continue;
    const std::string cell = line.substr(1, line.find('|', 1) - 1);
    for (std::sregex_iterator it(cell.begin(), cell.end(), code_span), end; it != end; ++it) {
      for (const std::string& command : current) fields[command].insert((*it)[1].str());
    }
  }
  return fields;
}

// Every member path below the object `value`: "a", "a.b"; the members of objects in an array
// "a" as "a[].b".
void collect_paths(const Json& value, const std::string& prefix, std::set<std::string>& out) {
  for (const auto& [name, member] : value.items()) {
    const std::string path = prefix + name;
    out.insert(path);
    if (member.is_object()) collect_paths(member, path + ".", out);
    if (!member.is_array()) continue;
    for (const Json& element : member) {
      if (element.is_object()) collect_paths(element, path + "[].", out);
    }
  }
}

bool is_documented(const std::set<std::string>& documented, const std::string& path) {
  if (documented.contains(path)) return true;
  return std::ranges::any_of(documented, [&](const std::string& field) {
    return field.ends_with(".*") && path.starts_with(field.substr(0, field.size() - 1));
  });
}

// One line holding one JSON object.
Json one_object(const std::string& text, std::string_view what) {
  EXPECT_EQ(std::ranges::count(text, '\n'), 1) << what << ": " << text;
  const Json parsed = Json::parse(text, nullptr, false);
  EXPECT_TRUE(parsed.is_object()) << what << ": " << text;
  return parsed.is_object() ? parsed : Json::object();
}

class CliJsonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    fields_ = documented_fields();
    for (const char* args :
         {"keygen --type ec --label json-ec",
          "keygen --type aes --label json-aes --usage encrypt,decrypt,wrap,unwrap",
          "keygen --type aes --label json-victim"}) {
      const CommandResult made = run_on_token(args);
      ASSERT_EQ(made.exit_code, 0) << args << ": " << made.output;
    }
    dir_->write("message", "json output\n");
    dir_->write("key-bytes", std::string(32, '\x24'));
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static std::string file(std::string_view name) { return (dir_->path() / name).string(); }

  struct Run {
    int exit_code;
    std::string out;
    std::string err;
  };

  // craton-hsm `args` with standard output and error apart (run_command merges them).
  static Run run_apart(std::string_view args, std::string_view env) {
    const std::string err = file("stderr");
    const CommandResult result =
        run_command(fmt::format("{{ {} '{}' {} 2>'{}'; }}", env, kCliPath, args, err));
    return {result.exit_code, result.output, read_file(err)};
  }

  // craton-hsm on ci-token with --json added.
  static Run run_json(std::string_view args) {
    return run_apart(fmt::format("{} {} --json", token_args(), args), pin_env());
  }

  // The result: one documented object on standard output, nothing on standard error.
  static Json expect_result(std::string_view command, const Run& run) {
    EXPECT_EQ(run.exit_code, 0) << command << ": " << run.out << run.err;
    EXPECT_EQ(run.err, "") << command;
    Json result = one_object(run.out, command);
    expect_documented(command, result);
    return result;
  }

  // The failure: one documented error object on standard error.
  static Json expect_error(std::string_view command, const Run& run, int exit_code,
                           std::string_view code) {
    EXPECT_EQ(run.exit_code, exit_code) << command << ": " << run.out << run.err;
    Json error = one_object(run.err, command);
    expect_documented("error", error);
    EXPECT_EQ(error.value("/error/code"_json_pointer, ""), code) << command << ": " << run.err;
    EXPECT_FALSE(error.value("/error/message"_json_pointer, "").empty()) << command;
    return error;
  }

  static void expect_documented(std::string_view command, const Json& value) {
    const auto documented = fields_.find(std::string(command));
    ASSERT_NE(documented, fields_.end()) << "docs/cli-json.md has no section for " << command;
    std::set<std::string> paths;
    collect_paths(value, "", paths);
    EXPECT_FALSE(paths.empty()) << command;
    for (const std::string& path : paths) {
      EXPECT_TRUE(is_documented(documented->second, path))
          << command << " --json prints \"" << path << "\", which docs/cli-json.md does not name";
    }
  }

  static std::unique_ptr<TempDir> dir_;
  static std::map<std::string, std::set<std::string>> fields_;
};

std::unique_ptr<TempDir> CliJsonTest::dir_;
std::map<std::string, std::set<std::string>> CliJsonTest::fields_;

TEST_F(CliJsonTest, TheDocumentNamesEveryCommand) {
  for (const char* command :
       {"info", "demo", "keygen", "list", "export-pub", "destroy", "sign", "verify", "encrypt",
        "decrypt", "wrap", "unwrap", "random", "digest", "audit verify", "bench", "error"}) {
    EXPECT_TRUE(fields_.contains(command)) << command;
  }
}

TEST_F(CliJsonTest, KeygenAndListDescribeAKeyWithTheSameObject) {
  const Json made = expect_result("keygen", run_json("keygen --type rsa --size 2048 --label "
                                                     "json-rsa --usage sign,verify,decrypt"));
  const Json listed = expect_result("list", run_json("list"));
  const Json::array_t& keys = listed.at("keys").get_ref<const Json::array_t&>();
  const auto same = std::ranges::find_if(
      keys, [&](const Json& key) { return key.value("uri", "") == made.value("uri", "?"); });
  ASSERT_NE(same, keys.end()) << made.dump() << " is not in " << listed.dump();
  Json expected = *same;
  expected["unique_id"] = nullptr;  // keygen does not read it back
  expected["handle"] = nullptr;     // nor its handle
  EXPECT_EQ(made, expected);
  EXPECT_EQ(made.at("usage"), Json::parse(R"(["sign","decrypt"])"));  // the private half's share
}

TEST_F(CliJsonTest, EveryCommandPrintsOneDocumentedObject) {
  expect_result("info", run_json("info"));
  const Json demo = expect_result("demo", run_json("demo --no-audit"));
  EXPECT_EQ(demo.at("failed"), 0);
  EXPECT_TRUE(demo.at("audit_trail").is_null());
  const Json audited_demo = expect_result("demo", run_json("demo"));  // its temporary trail
  EXPECT_EQ(audited_demo.at("/audit_trail/intact"_json_pointer), true);
  EXPECT_GT(audited_demo.at("/audit_trail/records"_json_pointer).get<int>(), 20);
  EXPECT_EQ(audited_demo.at("/audit_trail/deleted"_json_pointer), true);

  const std::string sign = fmt::format(
      "--key 'pkcs11:object=json-ec' --scheme ecdsa-p256-sha256 --in '{}'", file("message"));
  const Json signature = expect_result("sign", run_json(fmt::format("sign {}", sign)));
  EXPECT_THAT(signature.value("signature", ""), Not(::testing::IsEmpty()));
  expect_result("sign", run_json(fmt::format("sign {} --out '{}'", sign, file("sig"))));
  const Json valid = expect_result(
      "verify", run_json(fmt::format("verify {} --signature '{}'", sign, file("sig"))));
  EXPECT_EQ(valid.at("valid"), true);

  const std::string aes = "--key 'pkcs11:object=json-aes' --alg aes-gcm";
  expect_result("encrypt", run_json(fmt::format("encrypt {} --in '{}' --out '{}'", aes,
                                                file("message"), file("sealed"))));
  const Json opened =
      expect_result("decrypt", run_json(fmt::format("decrypt {} --in '{}'", aes, file("sealed"))));
  EXPECT_EQ(opened.value("plaintext", ""), "anNvbiBvdXRwdXQK");  // base64 of the message

  const std::string kek = "--kek 'pkcs11:object=json-aes' --scheme KW";
  const Json wrapped =
      expect_result("wrap", run_json(fmt::format("wrap {} --in '{}' --out '{}'", kek,
                                                 file("key-bytes"), file("wrapped"))));
  EXPECT_EQ(wrapped.value("scheme", ""), "kw");
  expect_result("unwrap", run_json(fmt::format("unwrap {} --in '{}' --out '{}'", kek,
                                               file("wrapped"), file("unwrapped"))));
  EXPECT_EQ(read_file(file("unwrapped")), read_file(file("key-bytes")));

  EXPECT_EQ(expect_result("random", run_json("random --bytes 12")).value("bytes", 0), 12);
  expect_result("digest", run_json(fmt::format("digest --alg sha256 --in '{}'", file("message"))));

  const Json destroyed =
      expect_result("destroy", run_json("destroy --key 'pkcs11:object=json-victim' --yes"));
  EXPECT_EQ(destroyed.at("destroyed"), true);
  EXPECT_THAT(destroyed.value("key", ""), HasSubstr("object=json-victim"));

  const Json bench = expect_result(
      "bench", run_json("bench --cases sha256 --threads 1 --rounds 1 --duration 0.01"));
  EXPECT_EQ(bench.at("results").size(), 1u);
}

TEST_F(CliJsonTest, ExportPubWithOutWritesPemAndDescribesIt) {
  const Json described = expect_result(
      "export-pub",
      run_json(fmt::format("export-pub --key 'pkcs11:object=json-ec' --out '{}'", file("ec.pem"))));
  EXPECT_EQ(described.value("format", ""), "pem");
  EXPECT_EQ(described.value("out", ""), file("ec.pem"));
  EXPECT_THAT(read_file(file("ec.pem")), ::testing::StartsWith("-----BEGIN PUBLIC KEY-----\n"));

  expect_result("export-pub",
                run_json(fmt::format("export-pub --key 'pkcs11:object=json-ec' --der --out '{}'",
                                     file("ec.der"))));
  // A DER SEQUENCE, neither JSON nor PEM.
  EXPECT_EQ(read_file(file("ec.der")).substr(0, 1), "\x30");

  const Json inline_key =
      expect_result("export-pub", run_json("export-pub --key 'pkcs11:object=json-ec'"));
  EXPECT_EQ(inline_key.value("bytes", 0), 91);  // P-256 SubjectPublicKeyInfo
  EXPECT_FALSE(inline_key.value("public_key", "").empty());
}

TEST_F(CliJsonTest, AuditVerifyReportsInJson) {
  const TempDir audit_dir;
  const fs::path config =
      audited_config(audit_dir, fmt::format("key_file = \"{}\"", key_file(audit_dir).string()));
  ASSERT_EQ(run_configured(config, "random --bytes 4 --hex").exit_code, 0);
  const Json report = expect_result(
      "audit verify", run_json(fmt::format("audit verify --audit-key-file '{}' '{}'",
                                           (audit_dir.path() / "audit.key").string(),
                                           (audit_dir.path() / "audit.jsonl").string())));
  EXPECT_EQ(report.at("intact"), true);
}

TEST_F(CliJsonTest, EveryCommandsFailureIsOneDocumentedErrorObject) {
  const std::vector<std::pair<std::string, std::string>> missing_key{
      {"export-pub", "export-pub --key 'pkcs11:object=json-none'"},
      {"destroy", "destroy --key 'pkcs11:object=json-none' --yes"},
      {"sign", fmt::format("sign --key 'pkcs11:object=json-none' --scheme ed25519 --in '{}'",
                           file("message"))},
      {"verify", fmt::format("verify --key 'pkcs11:object=json-none' --scheme ed25519 --in '{}' "
                             "--signature '{}'",
                             file("message"), file("message"))},
      {"encrypt", fmt::format("encrypt --key 'pkcs11:object=json-none' --alg aes-gcm --in '{}'",
                              file("message"))},
      {"decrypt", fmt::format("decrypt --key 'pkcs11:object=json-none' --alg aes-gcm --in '{}'",
                              file("message"))},
      {"wrap", fmt::format("wrap --kek 'pkcs11:object=json-none' --scheme kw --in '{}'",
                           file("key-bytes"))},
      {"unwrap", fmt::format("unwrap --kek 'pkcs11:object=json-none' --scheme kw --in '{}' "
                             "--out '{}'",
                             file("message"), file("never"))},
  };
  for (const auto& [command, args] : missing_key) {
    const Run run = run_json(args);
    expect_error(command, run, 3, "KeyNotFound");
    EXPECT_EQ(run.out, "") << command << " released output for a failure";
  }
  // A failed PKCS#11 call names its function and CKR, and never the PIN.
  for (const std::string& command : std::vector<std::string>{
           "demo --no-audit", "keygen --type ec --label json-never", "list", "random --bytes 4",
           fmt::format("digest --alg sha256 --in '{}'", file("message")),
           "bench --cases sha256 --threads 1 --rounds 1 --duration 0.01"}) {
    const Run run = run_apart(fmt::format("--module '{}' --token-label {} {} --json", kModulePath,
                                          kSpareTokenLabel, command),
                              "CRATON_HSM_PIN=8642-json-wrong");
    const Json error = expect_error("error", run, 3, "PinIncorrect");
    EXPECT_EQ(error.value("/error/ckr"_json_pointer, ""), "CKR_PIN_INCORRECT") << command;
    EXPECT_EQ(error.value("/error/function"_json_pointer, ""), "C_Login") << command;
    EXPECT_THAT(run.err + run.out, Not(HasSubstr("8642-json-wrong"))) << command;
    EXPECT_EQ(run.out, "") << command;
  }
  expect_error(
      "info",
      run_apart(fmt::format("info {} --token-label no-such-token --json", module_args()), ""), 2,
      "TokenNotFound");
  expect_error("audit verify",
               run_json(fmt::format("audit verify --audit-key-file '{}' '{}'", file("absent.key"),
                                    file("message"))),
               2, "ConfigInvalid");
  // Refused while parsing: still one JSON object.
  expect_error("error", run_json("list --no-such-option"), 2, "InvalidArgument");
  expect_error("error", run_json("bench --cases nosuch"), 2, "InvalidArgument");
}

TEST_F(CliJsonTest, AVerdictOfNoPrintsTheVerdictThenTheError) {
  const std::string sign = fmt::format(
      "--key 'pkcs11:object=json-ec' --scheme ecdsa-p256-sha256 --in '{}'", file("message"));
  ASSERT_EQ(run_on_token(fmt::format("sign {} --out '{}'", sign, file("good.sig"))).exit_code, 0);
  const Run invalid =
      run_json(fmt::format("verify {} --format raw --signature '{}'", sign, file("good.sig")));
  expect_error("verify", invalid, 1, "AuthenticationFailed");
  const Json verdict = one_object(invalid.out, "verify");
  expect_documented("verify", verdict);
  EXPECT_EQ(verdict.at("valid"), false);
}

}  // namespace
}  // namespace craton::hsm::testing
