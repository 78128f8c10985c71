// SPDX-License-Identifier: Apache-2.0
// `craton-hsm audit verify`: checks the keyed chain of audit trail files.
#include <craton/hsm/audit.h>
#include <craton/hsm/pkcs11_backend.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/io.h"
#include "cli/json_writer.h"
#include "cli/operator_commands.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kAuditFooter = R"(
Checks every record's MAC link, the sequence numbers, the rotation links between files (give
them oldest first) and a truncated tail. Prints "N records, chain intact" (exit 0) or the
first bad record as FILE:LINE: problem (exit 1). A token change (keygen, import, destroy) whose
intent record has no outcome record (the process died or its trail failed in between) is
listed as FILE:LINE: intent without outcome, and the exit code is 1: check the token.

The chain key comes from --audit-key-file, else from the configuration's [audit] table
(--config or $CRATON_HSM_CONFIG): its key_file, or its key_label, in which case the token
computes the MAC (this needs the PIN; the check itself writes no audit records).

Example:
  craton-hsm audit verify /var/log/craton/audit.jsonl
  craton-hsm audit verify --audit-key-file /etc/craton/audit.key audit.jsonl.1 audit.jsonl)";

struct AuditVerifyOptions {
  std::vector<std::string> files;
  std::optional<std::string> key_file;
  bool json = false;
};

// The MAC of a trail whose key lives on the token (config key_label): HMAC-SHA-256 by the
// token, exactly as the library's writer computes it.
class TokenMac final : public AuditMac {
 public:
  TokenMac(std::unique_ptr<Pkcs11Backend> token, Key key)
      : token_(std::move(token)), key_(std::move(key)) {}
  Result<std::array<std::uint8_t, 32>> mac(std::span<const std::uint8_t> data) override {
    CRATON_ASSIGN_OR_RETURN(const Bytes tag, token_->hmac(key_, HashAlg::Sha256, data));
    std::array<std::uint8_t, 32> out{};
    if (tag.size() != out.size()) return fail(ErrorCode::Internal, "HMAC-SHA-256 of wrong size");
    std::ranges::copy(tag, out.begin());
    return out;
  }

 private:
  std::unique_ptr<Pkcs11Backend> token_;
  Key key_;
};

Result<std::unique_ptr<AuditMac>> token_mac(Pkcs11PassthroughConfig config,
                                            const std::string& label) {
  // Without its trail: verifying must not append to the files being verified.
  config.audit.reset();
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11Backend> token,
                          make_pkcs11_backend(std::move(config)));
  KeyRef ref;
  ref.label = label;
  ref.object_class = ObjectClass::SecretKey;
  CRATON_ASSIGN_OR_RETURN(Key key, token->find_key(ref));
  return std::make_unique<TokenMac>(std::move(token), std::move(key));
}

Result<std::unique_ptr<AuditMac>> chain_key(const GlobalOptions& global,
                                            const AuditVerifyOptions& options) {
  if (options.key_file) return make_key_file_audit_mac(*options.key_file);
  if (!configured_config_file(global)) {
    return fail(ErrorCode::ConfigInvalid,
                "no audit key: pass --audit-key-file FILE, or a configuration (--config FILE or "
                "$CRATON_HSM_CONFIG) with an [audit] table");
  }
  CRATON_ASSIGN_OR_RETURN(CliConfig cli_config, build_config(global));
  const std::optional<AuditConfig>& audit = cli_config.config.audit;
  if (!audit) {
    return fail(ErrorCode::ConfigInvalid,
                "no audit key: the configuration has no [audit] table; pass --audit-key-file FILE");
  }
  if (audit->key_file) return make_key_file_audit_mac(*audit->key_file);
  if (audit->key_label) {
    const std::string label = *audit->key_label;
    // The chain key is a secret key on the token: only the user's login can see it.
    CRATON_ASSIGN_OR_RETURN(CliConfig logged_in, configure_login(global));
    return token_mac(std::move(logged_in.config), label);
  }
  return fail(ErrorCode::ConfigInvalid, "audit: set key_file or key_label for the chain key");
}

std::string file_name(const AuditVerifyReport& report,
                      const std::vector<std::filesystem::path>& files) {
  return report.file_index < files.size() ? files[report.file_index].string() : "?";
}

std::string render_json(const AuditVerifyReport& report,
                        const std::vector<std::filesystem::path>& files) {
  JsonWriter json;
  json.begin_object();
  json.key("files").begin_array();
  for (const auto& file : files) json.value(file.string());
  json.end_array();
  json.key("records").value(report.records);
  json.key("intact").value(report.intact);
  if (!report.intact) {
    json.key("file").value(file_name(report, files));
    json.key("line").value(report.line);
    json.key("problem").value(report.problem);
  }
  json.key("open_intents").begin_array();
  for (const AuditOpenIntent& intent : report.open_intents) {
    json.begin_object();
    json.key("file").value(intent.file_index < files.size() ? files[intent.file_index].string()
                                                            : "?");
    json.key("line").value(intent.line).key("seq").value(intent.seq);
    json.key("op").value(intent.operation).key("key").value(intent.key);
    json.end_object();
  }
  json.end_array();
  json.end_object();
  return json.str() + "\n";
}

std::string render_text(const AuditVerifyReport& report,
                        const std::vector<std::filesystem::path>& files) {
  if (!report.intact) {
    return fmt::format("{}:{}: {}\n", file_name(report, files), report.line, report.problem);
  }
  std::string text = fmt::format("{} records, chain intact\n", report.records);
  for (const AuditOpenIntent& intent : report.open_intents) {
    text += fmt::format(
        "{}:{}: intent without outcome: seq {} {}{}{} (whether the token changed is unknown)\n",
        intent.file_index < files.size() ? files[intent.file_index].string() : "?", intent.line,
        intent.seq, intent.operation, intent.key.empty() ? "" : " ", intent.key);
  }
  return text;
}

Result<void> run_audit_verify(const GlobalOptions& global, const AuditVerifyOptions& options) {
  const std::vector<std::filesystem::path> files(options.files.begin(), options.files.end());
  CRATON_ASSIGN_OR_RETURN(const std::unique_ptr<AuditMac> mac, chain_key(global, options));
  CRATON_ASSIGN_OR_RETURN(const AuditVerifyReport report, verify_audit_trail(files, *mac));
  CRATON_RETURN_IF_ERROR(
      write_stdout(options.json ? render_json(report, files) : render_text(report, files)));
  if (!report.intact) {
    return fail(ErrorCode::AuthenticationFailed,
                fmt::format("the audit trail is broken after {} good records", report.records));
  }
  if (!report.open_intents.empty()) {
    // A verdict on the trail like a broken link (exit 1), not a failure to check it.
    return fail(ErrorCode::AuthenticationFailed,
                fmt::format("the chain is intact, but {} token changes have no recorded outcome",
                            report.open_intents.size()));
  }
  return {};
}

}  // namespace

void add_audit_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  CLI::App* audit = app.add_subcommand("audit", "work with the audit trail");
  audit->require_subcommand(1);
  audit->footer(R"(
Example:
  craton-hsm audit verify /var/log/craton/audit.jsonl)");
  auto options = std::make_shared<AuditVerifyOptions>();
  CLI::App* verify = audit->add_subcommand("verify", "check an audit trail's tamper-evident chain");
  verify->add_option("files", options->files, "trail files, oldest first")
      ->required()
      ->type_name("FILE");
  verify->add_option("--audit-key-file", options->key_file, "the chain key (32..64 bytes, 0600)")
      ->type_name("FILE");
  verify->add_flag("--json", options->json, "print one JSON object");
  verify->footer(kAuditFooter);
  install_action(*verify, global, action, options, run_audit_verify);
}

}  // namespace craton::hsm::cli
