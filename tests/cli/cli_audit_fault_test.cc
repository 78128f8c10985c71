// SPDX-License-Identifier: Apache-2.0
// The CLI while its audit trail cannot be written (the write-failure injector of
// tests/support/write_fault, preloaded): `sign --out` writes no file and exits 4 for ENOSPC,
// EIO, EFBIG and SIGXFSZ alike, `destroy` leaves the key when its intent cannot be written,
// and `audit verify` afterwards tells what happened.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include <fmt/format.h>

#include "cli/cli_audit_util.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

namespace fs = std::filesystem;

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kAuditExit = 4;  // README: the audit trail could not take a record
constexpr std::string_view kSigningKey = "audit-fault-ec";

class CliAuditFault : public ::testing::Test {
 protected:
  // Runs for each suite derived from this one; the key is made once.
  static void SetUpTestSuite() {
    static const CommandResult made =
        run_on_token(fmt::format("keygen --type ec --label {}", kSigningKey));
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }

  CliAuditFault() {
    key_ = key_file(dir_);
    config_ = audited_config(dir_, fmt::format("key_file = \"{}\"", key_.string()));
    trail_ = dir_.path() / "audit.jsonl";
    message_ = dir_.write("message", "sign me");
    signature_ = dir_.path() / "message.sig";
  }

  // The injector preloaded and armed on the trail. `containing`: fail the first write holding
  // those bytes (and everything after it), whatever the batching.
  std::string fault(std::string_view error, std::string_view containing,
                    std::string_view calls = "write", bool partial = false) const {
    return fmt::format(
        "LD_PRELOAD='{}' CRATON_WRITE_FAULT_PATH='{}' CRATON_WRITE_FAULT_ERRNO={} "
        "CRATON_WRITE_FAULT_CALLS={} CRATON_WRITE_FAULT_PARTIAL={} "
        "CRATON_WRITE_FAULT_CONTAINING='{}' "
        // ASan insists on coming first in the library list; the injector forwards to it.
        "ASAN_OPTIONS=\"verify_asan_link_order=0${{ASAN_OPTIONS:+:$ASAN_OPTIONS}}\"",
        CRATON_WRITE_FAULT_LIB, trail_.string(), error, calls, partial ? 1 : 0, containing);
  }

  [[nodiscard]] std::string sign_args() const {
    return fmt::format(
        "sign --key 'pkcs11:object={}' --scheme ecdsa-p256-sha256 --in '{}' --out '{}'",
        kSigningKey, message_.string(), signature_.string());
  }

  [[nodiscard]] CommandResult verify() const {
    return run_cli(
        fmt::format("audit verify --audit-key-file '{}' '{}'", key_.string(), trail_.string()));
  }

  [[nodiscard]] std::string trail_text() const {
    std::string text;
    for (const std::string& line : read_lines(trail_)) text += line + "\n";
    return text;
  }

  TempDir dir_;
  fs::path key_;
  fs::path config_;
  fs::path trail_;
  fs::path message_;
  fs::path signature_;
};

class CliAuditSignFault : public CliAuditFault,
                          public ::testing::WithParamInterface<const char*> {};

TEST_P(CliAuditSignFault, SignWritesNoOutputAndExits3WhenItsRecordCannotBeWritten) {
  ASSERT_EQ(run_configured(config_, "random --bytes 4 --hex").exit_code, 0);  // a trail exists
  const CommandResult signed_ =
      run_configured(config_, sign_args(), fault(GetParam(), R"("op":"sign")", "write", true));
  EXPECT_EQ(signed_.exit_code, kAuditExit) << signed_.output;
  EXPECT_THAT(signed_.output, HasSubstr("craton-hsm: error: AuditUnavailable"));
  EXPECT_FALSE(fs::exists(signature_)) << "a signature was released without its record";

  // The trail holds no half record and no sign record: the chain is intact and says so.
  const CommandResult verified = verify();
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_THAT(verified.output, HasSubstr("chain intact"));
  EXPECT_THAT(trail_text(), Not(HasSubstr(R"("op":"sign")")));

  // The next run, without the fault, works on the same trail.
  const CommandResult again = run_configured(config_, sign_args());
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(fs::exists(signature_));
  EXPECT_EQ(verify().exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Errnos, CliAuditSignFault,
                         ::testing::Values("ENOSPC", "EIO", "EFBIG", "SIGXFSZ"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

// The records reached the file but their fsync failed: the command cannot vouch for them.
TEST_F(CliAuditFault, FailedFsyncFailsTheCommandBeforeItsOutput) {
  ASSERT_EQ(run_configured(config_, "random --bytes 4 --hex").exit_code, 0);
  // The opening record's sync goes through; the next one fails.
  const std::string env = fault("EIO", "", "sync") + " CRATON_WRITE_FAULT_AFTER=1";
  const CommandResult signed_ = run_configured(config_, sign_args(), env);
  EXPECT_EQ(signed_.exit_code, kAuditExit) << signed_.output;
  EXPECT_THAT(signed_.output, HasSubstr("fsync failed"));
  EXPECT_FALSE(fs::exists(signature_));
  EXPECT_EQ(verify().exit_code, 0);
}

TEST_F(CliAuditFault, DestroyLeavesTheKeyWhenItsIntentCannotBeWritten) {
  ASSERT_EQ(run_on_token("keygen --type ec --label audit-fault-victim-1").exit_code, 0);
  const CommandResult destroyed =
      run_configured(config_, "destroy --key 'pkcs11:object=audit-fault-victim-1' --yes",
                     fault("ENOSPC", R"("outcome":"intent")"));
  EXPECT_EQ(destroyed.exit_code, kAuditExit) << destroyed.output;
  EXPECT_THAT(destroyed.output, Not(HasSubstr("destroyed pkcs11:")));
  const CommandResult listed = run_on_token("list");
  EXPECT_THAT(listed.output, HasSubstr("audit-fault-victim-1")) << "destroyed without a record";
  EXPECT_EQ(verify().exit_code, 0);
  ASSERT_EQ(run_on_token("destroy --key 'pkcs11:object=audit-fault-victim-1' --yes").exit_code, 0);
}

TEST_F(CliAuditFault, DestroyWhoseOutcomeCannotBeWrittenIsReportedByAuditVerify) {
  ASSERT_EQ(run_on_token("keygen --type ec --label audit-fault-victim-2").exit_code, 0);
  // Outcome records name their intent: `"intent":` (the intent itself says "outcome":"intent").
  const CommandResult destroyed =
      run_configured(config_, "destroy --key 'pkcs11:object=audit-fault-victim-2' --yes",
                     fault("EIO", R"("intent":)"));
  EXPECT_EQ(destroyed.exit_code, kAuditExit) << destroyed.output;
  EXPECT_THAT(run_on_token("list").output, Not(HasSubstr("audit-fault-victim-2")));

  const CommandResult verified = verify();
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  EXPECT_THAT(verified.output, HasSubstr("chain intact"));
  EXPECT_THAT(verified.output, HasSubstr("intent without outcome"));
  EXPECT_THAT(verified.output, HasSubstr("key_destroy pkcs11:object=audit-fault-victim-2"));
  EXPECT_THAT(verified.output, HasSubstr("craton-hsm: error: AuthenticationFailed"));
  const CommandResult as_json = run_cli(fmt::format(
      "audit verify --json --audit-key-file '{}' '{}'", key_.string(), trail_.string()));
  EXPECT_THAT(as_json.output, HasSubstr(R"("intact":true)"));
  EXPECT_THAT(as_json.output, HasSubstr(R"("op":"key_destroy")"));
}

}  // namespace
}  // namespace craton::hsm::testing
