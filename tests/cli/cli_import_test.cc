// SPDX-License-Identifier: Apache-2.0
// import: keys made by openssl put on the token, used through the CLI and checked by openssl;
// hostile key files refused with their reason and without their bytes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_objects_util.h"
#include "cli/cli_runner.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Runs a shell line in `dir` (openssl, file juggling) and expects it to succeed.
void shell(const TempDir& dir, std::string_view line) {
  const CommandResult result =
      run_command(fmt::format("cd '{}' && {} 2>&1", dir.path().string(), line));
  ASSERT_EQ(result.exit_code, 0) << line << ": " << result.output;
}

struct SignCase {
  const char* name;
  const char* make;    // openssl lines that write key.pem (or key.der) and pub.pem
  const char* file;    // what import reads
  const char* scheme;  // the CLI's scheme
  const char* verify;  // openssl line that checks msg.sig over msg.txt with pub.pem
};

const SignCase kSignCases[] = {
    {"ec-pkcs8-pem", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem",
     "key.pem", "ecdsa-p256-sha256",
     "openssl dgst -sha256 -verify pub.pem -signature msg.sig msg.txt"},
    {"ec-sec1-pem",
     "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out full.pem && "
     "openssl ec -in full.pem -out key.pem && grep -q 'BEGIN EC PRIVATE KEY' key.pem",
     "key.pem", "ecdsa-p384-sha384",
     "openssl dgst -sha384 -verify pub.pem -signature msg.sig msg.txt"},
    {"ec-sec1-der",
     "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out full.pem && "
     "openssl ec -in full.pem -outform DER -out key.der",
     "key.der", "ecdsa-p256-sha256",
     "openssl dgst -sha256 -verify pub.pem -signature msg.sig msg.txt"},
    {"rsa-pkcs8-der",
     "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out full.pem && "
     "openssl pkey -in full.pem -outform DER -out key.der",
     "key.der", "rsa-pkcs1-sha256",
     "openssl dgst -sha256 -verify pub.pem -signature msg.sig msg.txt"},
    {"rsa-pkcs1-pem",
     "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out full.pem && "
     "openssl rsa -in full.pem -traditional -out key.pem && grep -q 'BEGIN RSA PRIVATE' key.pem",
     "key.pem", "rsa-pss-sha256",
     "openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1 -verify "
     "pub.pem -signature msg.sig msg.txt"},
    {"ed25519", "openssl genpkey -algorithm ED25519 -out key.pem", "key.pem", "ed25519",
     "openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in msg.txt -sigfile msg.sig"},
};

class CliImportSign : public ::testing::TestWithParam<SignCase> {};

// The key openssl made signs on the token; openssl verifies with the public key it derives
// from its own file, so the token holds exactly that key. The private object is sensitive,
// not extractable and not local.
TEST_P(CliImportSign, ImportedKeySignsAndOpensslVerifies) {
  const SignCase& c = GetParam();
  const TempDir dir;
  shell(dir, c.make);
  shell(dir, fmt::format("openssl pkey -in {} {} -pubout -out pub.pem", c.file,
                         std::string_view(c.file).ends_with(".der") ? "-inform DER" : ""));
  shell(dir, "echo 'imported key message' > msg.txt");
  const std::string label = fmt::format("import-{}", c.name);
  const std::string key = fmt::format("pkcs11:object={};type=private", label);
  const CommandResult imported = run_on_token(
      fmt::format("import --in '{}' --label {}", (dir.path() / c.file).string(), label));
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_THAT(imported.output, HasSubstr(fmt::format("object={};", label)));

  const CommandResult signed_ = run_on_token(
      fmt::format("sign --key '{}' --scheme {} --in '{}' --out '{}'", key, c.scheme,
                  (dir.path() / "msg.txt").string(), (dir.path() / "msg.sig").string()));
  ASSERT_EQ(signed_.exit_code, 0) << signed_.output;
  shell(dir, c.verify);

  const Json listed = list_json();
  int halves = 0;
  for (const Json& object : listed.at("keys")) {
    if (object.at("label") != label) continue;
    ++halves;
    EXPECT_FALSE(object.at("local").get<bool>()) << object.dump();
    if (object.at("class") == "private") {
      EXPECT_TRUE(object.at("sensitive").get<bool>()) << object.dump();
      EXPECT_FALSE(object.at("extractable").get<bool>()) << object.dump();
    }
  }
  EXPECT_EQ(halves, 2) << listed.dump();
  EXPECT_EQ(run_on_token(fmt::format("destroy --key '{}' --yes", key)).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Formats, CliImportSign, ::testing::ValuesIn(kSignCases),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           std::ranges::replace(name, '-', '_');
                           return name;
                         });

// A raw AES key from a file, read through standard input: what the token encrypts, openssl
// decrypts with the same bytes.
TEST(CliImport, RawAesKeyEncryptsWhatOpensslDecrypts) {
  const TempDir dir;
  shell(dir, "head -c 32 /dev/urandom > aes.key && echo 'aes message' > msg.txt");
  const CommandResult imported =
      run_on_token(fmt::format("import --in - --raw-aes --label import-aes --json < '{}'",
                               (dir.path() / "aes.key").string()));
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  const Json made = Json::parse(imported.output, nullptr, false);
  ASSERT_FALSE(made.is_discarded()) << imported.output;
  EXPECT_EQ(made.at("type"), "AES");
  EXPECT_EQ(made.at("bits"), 256);
  EXPECT_EQ(made.at("local"), false);
  EXPECT_EQ(made.at("extractable"), false);
  EXPECT_EQ(made.at("usage"), Json::parse(R"(["encrypt","decrypt"])"));

  const std::string iv = "000102030405060708090a0b0c0d0e0f";
  const CommandResult encrypted = run_on_token(fmt::format(
      "encrypt --key 'pkcs11:object=import-aes' --alg aes-cbc-pad --iv {} --in '{}' --out '{}'", iv,
      (dir.path() / "msg.txt").string(), (dir.path() / "msg.enc").string()));
  ASSERT_EQ(encrypted.exit_code, 0) << encrypted.output;
  shell(dir, fmt::format("openssl enc -d -aes-256-cbc -K $(od -An -tx1 aes.key | tr -d ' \\n') "
                         "-iv {} -in msg.enc -out msg.dec && cmp msg.txt msg.dec",
                         iv));
  EXPECT_EQ(run_on_token("destroy --key 'pkcs11:object=import-aes' --yes").exit_code, 0);
}

struct HostileCase {
  const char* name;
  const char* make;  // writes bad.key
  const char* args;  // extra import options
  int exit_code;
  const char* says;
};

// "SECRETMARKER" stands for key bytes: it is in every hostile file and must never be echoed.
const HostileCase kHostileCases[] = {
    {"empty", ": > bad.key", "", 2, "is empty"},
    {"truncated-der",
     "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -outform DER -out k.der && "
     "head -c 60 k.der > bad.key",
     "", 2, "not a whole"},
    {"der-with-trailing-bytes",
     "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -outform DER -out bad.key && "
     "printf SECRETMARKER >> bad.key",
     "", 2, "not a whole"},
    {"public-key-pem",
     "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem && "
     "openssl pkey -in k.pem -pubout -out bad.key",
     "", 2, "PUBLIC KEY"},
    {"public-key-der",
     "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem && "
     "openssl pkey -in k.pem -pubout -outform DER -out bad.key",
     "", 2, "a public key"},
    {"certificate",
     "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem && "
     "openssl req -x509 -key k.pem -subj /CN=SECRETMARKER -days 1 -out bad.key",
     "", 2, "--cert"},
    {"encrypted-pkcs8",
     "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem && "
     "openssl pkey -in k.pem -aes256 -passout pass:SECRETMARKER -out bad.key",
     "", 2, "encrypted"},
    {"encrypted-pkcs8-der",
     "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem && "
     "openssl pkcs8 -topk8 -in k.pem -outform DER -passout pass:SECRETMARKER -out bad.key",
     "", 2, "encrypted"},
    {"encrypted-legacy-pem",
     "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out k.pem && "
     "openssl rsa -in k.pem -traditional -aes256 -passout pass:SECRETMARKER -out bad.key",
     "", 2, "encrypted"},
    {"garbage-pem",
     "printf -- '-----BEGIN PRIVATE KEY-----\\nU0VDUkVUTUFSS0VSU0VDUkVUTUFSS0VS\\n"
     "-----END PRIVATE KEY-----\\n' > bad.key",
     "", 2, "not a whole"},
    {"rsa-1024", "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out bad.key", "", 3,
     "KeySizeRange"},
    {"ec-p521", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out bad.key", "",
     3, "KeyTypeInconsistent"},
    {"raw-aes-wrong-size", "printf SECRETMARKER > bad.key", "--raw-aes", 3, "KeySizeRange"},
};

class CliImportHostile : public ::testing::TestWithParam<HostileCase> {};

TEST_P(CliImportHostile, IsRefusedWithItsReasonAndWithoutItsBytes) {
  const HostileCase& c = GetParam();
  const TempDir dir;
  shell(dir, c.make);
  const CommandResult refused = run_on_token(fmt::format(
      "import --in '{}' {} --label import-hostile", (dir.path() / "bad.key").string(), c.args));
  EXPECT_EQ(refused.exit_code, c.exit_code) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr(c.says));
  EXPECT_EQ(line_count(refused.output), 1u) << refused.output;
  for (const char* leak : {"SECRETMARKER", "U0VDUkVUTUFSS0VS", "BEGIN"}) {
    if (std::string_view(c.says).find(leak) == std::string_view::npos) {
      EXPECT_THAT(refused.output, Not(HasSubstr(leak)));
    }
  }
  EXPECT_EQ(count_labelled("import-hostile"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Inputs, CliImportHostile, ::testing::ValuesIn(kHostileCases),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           std::ranges::replace(name, '-', '_');
                           return name;
                         });

// A label or id already on the token: refused, and the token keeps only the first key.
TEST(CliImport, ALabelOrIdInUseIsRefused) {
  const TempDir dir;
  shell(dir,
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out a.pem && "
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out b.pem");
  const std::string a = (dir.path() / "a.pem").string();
  const std::string b = (dir.path() / "b.pem").string();
  ASSERT_EQ(
      run_on_token(fmt::format("import --in '{}' --label import-taken --id 0d01", a)).exit_code, 0);
  for (const std::string& args : {fmt::format("--in '{}' --label import-taken", b),
                                  fmt::format("--in '{}' --label import-other --id 0d01", b)}) {
    const CommandResult refused = run_on_token("import " + args);
    EXPECT_EQ(refused.exit_code, 3) << refused.output;
    EXPECT_THAT(refused.output, HasSubstr("KeyAlreadyExists"));
  }
  EXPECT_EQ(count_labelled("import-taken"), 2u);
  EXPECT_EQ(count_labelled("import-other"), 0u);
  EXPECT_EQ(run_on_token("destroy --key 'pkcs11:object=import-taken' --yes").exit_code, 0);
}

// import_method = "unwrap" on a token that refuses every clear secret and private key (the
// shim's refuse_*_key_create modes, as Luna, CloudHSM and nShield in FIPS mode do): the CLI's
// import still works, by C_UnwrapKey under a token-generated transport key, and `info` says so.
TEST(CliImport, ByUnwrapOnATokenRefusingClearKeys) {
  const TempDir dir;
  shell(dir,
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem && "
        "openssl pkey -in key.pem -pubout -out pub.pem && head -c 32 /dev/urandom > aes.key && "
        "echo 'unwrapped message' > msg.txt");
  const std::string config = dir.write("unwrap.toml", fmt::format("library_path = \"{}\"\n"
                                                                  "token_label = \"{}\"\n"
                                                                  "allow_unprotected_library_path "
                                                                  "= true\n"
                                                                  "import_method = \"unwrap\"\n",
                                                                  kFaultShimPath, kTokenLabel))
                                 .string();
  const std::string env = fmt::format(
      "{} CRATON_FAULT='refuse_secret_key_create=1;refuse_private_key_create=1'", pin_env());
  const auto cli = [&](std::string_view args) {
    return run_cli(fmt::format("--config '{}' {}", config, args), env);
  };
  const CommandResult info = cli("info");
  ASSERT_EQ(info.exit_code, 0) << info.output;
  EXPECT_THAT(info.output, HasSubstr("secret keys: unwrap\n  private keys: unwrap\n"));

  const CommandResult ec = cli(
      fmt::format("import --in '{}' --label import-unwrap-ec", (dir.path() / "key.pem").string()));
  ASSERT_EQ(ec.exit_code, 0) << ec.output;
  const CommandResult signed_ = cli(fmt::format(
      "sign --key 'pkcs11:object=import-unwrap-ec;type=private' --scheme ecdsa-p256-sha256 "
      "--in '{}' --out '{}'",
      (dir.path() / "msg.txt").string(), (dir.path() / "msg.sig").string()));
  ASSERT_EQ(signed_.exit_code, 0) << signed_.output;
  shell(dir, "openssl dgst -sha256 -verify pub.pem -signature msg.sig msg.txt");

  const CommandResult aes =
      cli(fmt::format("import --in - --raw-aes --label import-unwrap-aes < '{}'",
                      (dir.path() / "aes.key").string()));
  ASSERT_EQ(aes.exit_code, 0) << aes.output;
  const std::string iv = "000102030405060708090a0b0c0d0e0f";
  const CommandResult encrypted = cli(fmt::format(
      "encrypt --key 'pkcs11:object=import-unwrap-aes' --alg aes-cbc-pad --iv {} --in '{}' "
      "--out '{}'",
      iv, (dir.path() / "msg.txt").string(), (dir.path() / "msg.enc").string()));
  ASSERT_EQ(encrypted.exit_code, 0) << encrypted.output;
  shell(dir, fmt::format("openssl enc -d -aes-256-cbc -K $(od -An -tx1 aes.key | tr -d ' \\n') "
                         "-iv {} -in msg.enc -out msg.dec && cmp msg.txt msg.dec",
                         iv));
  EXPECT_EQ(run_on_token("destroy --key 'pkcs11:object=import-unwrap-ec' --yes").exit_code, 0);
  EXPECT_EQ(run_on_token("destroy --key 'pkcs11:object=import-unwrap-aes' --yes").exit_code, 0);

  // The same token with import_method = "create": the refusal stands, typed.
  const std::string create = dir.write("create.toml", fmt::format("library_path = \"{}\"\n"
                                                                  "token_label = \"{}\"\n"
                                                                  "allow_unprotected_library_path "
                                                                  "= true\n"
                                                                  "import_method = \"create\"\n",
                                                                  kFaultShimPath, kTokenLabel))
                                 .string();
  const CommandResult refused =
      run_cli(fmt::format("--config '{}' import --in - --raw-aes --label import-refused-aes < '{}'",
                          create, (dir.path() / "aes.key").string()),
              env);
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("CKR_TEMPLATE_INCONSISTENT"));
}

}  // namespace
}  // namespace craton::hsm::testing
