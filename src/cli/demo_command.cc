// SPDX-License-Identifier: Apache-2.0
// Runs the demo steps against the token and prints one table row per step.
#include "cli/demo_command.h"

#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/software_backend.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/demo_audit.h"
#include "cli/demo_steps.h"
#include "cli/error_report.h"
#include "cli/io.h"
#include "cli/json_writer.h"
#include "cli/table.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kDemoFooter = R"(
Runs sign/verify, AES-GCM/CBC/CTR, key wrap, RSA-OAEP, ECDH, HMAC, digests, random and key
generation once on the token, and checks every result with the OpenSSL software backend.
Keys are session objects that disappear when the command ends.

The audit trail is on: without an [audit] table in the configuration, the demo writes one
to a fresh temporary directory (32-byte chain key, mode 0600), verifies it at the end and
deletes it; --audit-dir DIR keeps the trail and key there, --no-audit runs without. A
configured [audit] table is always used (and verified at the end when it has a key_file).

Example:
  CRATON_HSM_PIN=1234 craton-hsm demo --module /usr/lib/softhsm/libsofthsm2.so --token-label ci-token
  craton-hsm demo --audit-dir ./demo-audit && craton-hsm audit verify \
      --audit-key-file ./demo-audit/audit.key ./demo-audit/audit.jsonl)";

struct DemoOptions {
  bool no_audit = false;
  std::optional<std::string> audit_dir;
  bool json = false;
};

// Where the demo's trail ends up: the one it created, or the configuration's own.
struct TrailToCheck {
  std::optional<DemoAuditTrail> own;
  std::optional<AuditConfig> configured;
};

Result<TrailToCheck> set_up_audit(const DemoOptions& options, Pkcs11PassthroughConfig& config) {
  TrailToCheck trail;
  if (config.audit) {
    trail.configured = config.audit;
    return trail;
  }
  if (options.no_audit) return trail;
  CRATON_ASSIGN_OR_RETURN(DemoAuditTrail own, DemoAuditTrail::create(options.audit_dir));
  config.audit = own.config();
  trail.own.emplace(std::move(own));
  return trail;
}

struct StepOutcome {
  const DemoStep* step = nullptr;
  Result<void> outcome;
  std::int64_t micros = 0;

  [[nodiscard]] bool unsupported() const {
    return !outcome && outcome.error().code() == ErrorCode::MechanismUnsupported;
  }
  [[nodiscard]] bool failed() const { return !outcome && !unsupported(); }
};

// What the closing check of the trail found: `checked` false when no key file was there to
// check it with (the chain key is on the token: `audit verify` checks it); `failure` when the
// check failed (AuthenticationFailed: the chain is broken).
struct TrailReport {
  std::optional<std::filesystem::path> file;
  bool temporary = false;
  bool checked = false;
  std::uint64_t records = 0;
  std::optional<HsmError> failure;
};

// Runs after the backend is gone, so every record (BackendStop included) is on disk.
TrailReport check_audit(const TrailToCheck& trail) {
  TrailReport report;
  std::optional<std::filesystem::path> key_file;
  if (trail.own) {
    report.file = trail.own->file();
    report.temporary = trail.own->temporary();
    key_file = trail.own->config().key_file;
  } else if (trail.configured) {
    report.file = trail.configured->file;
    key_file = trail.configured->key_file;
  }
  if (report.file && key_file) {
    Result<std::uint64_t> records = verify_trail_file(*report.file, *key_file);
    if (records) {
      report.records = *records;
      report.checked = true;
    } else {
      report.failure = std::move(records).error();
    }
  }
  return report;
}

std::string audit_text(const TrailReport& trail) {
  if (!trail.file) return "audit trail: off (--no-audit)\n";
  if (!trail.checked) {
    return fmt::format(
        "audit trail: {} (chain key on the token: check it with craton-hsm audit verify)\n",
        trail.file->string());
  }
  return fmt::format("audit trail: {} records, chain intact ({}){}\n", trail.records,
                     trail.file->string(),
                     trail.temporary ? ", deleted on exit (keep it with --audit-dir DIR)" : "");
}

struct Tally {
  std::size_t ok = 0;
  std::size_t unsupported = 0;
  std::size_t failed = 0;
};

Tally tally(const std::vector<StepOutcome>& outcomes) {
  Tally counts;
  for (const StepOutcome& o : outcomes) {
    if (o.unsupported()) {
      ++counts.unsupported;
    } else if (o.failed()) {
      ++counts.failed;
    } else {
      ++counts.ok;
    }
  }
  return counts;
}

std::string render_text(std::string_view token, std::string_view reference,
                        const std::vector<StepOutcome>& outcomes) {
  Table table({{"OPERATION"}, {"MECHANISM"}, {"KEY"}, {"RESULT"}, {"µs", Align::Right}});
  for (const StepOutcome& o : outcomes) {
    std::string result = "ok";
    if (o.unsupported()) {
      result = "unsupported by this token";
    } else if (o.failed()) {
      result = fmt::format("FAILED: {}", o.outcome.error());
    }
    table.add_row(
        {o.step->operation, o.step->mechanism, o.step->key, result, std::to_string(o.micros)});
  }
  const Tally counts = tally(outcomes);
  return fmt::format(
      "Token backend: {}   reference: {}\n\n{}\n{} steps: {} ok, {} unsupported by the token, "
      "{} failed\n",
      token, reference, table.render(), outcomes.size(), counts.ok, counts.unsupported,
      counts.failed);
}

std::string render_json(std::string_view token, std::string_view reference,
                        const std::vector<StepOutcome>& outcomes, const TrailReport& trail) {
  JsonWriter json;
  json.begin_object().key("token").value(token).key("reference").value(reference);
  json.key("steps").begin_array();
  for (const StepOutcome& o : outcomes) {
    json.begin_object();
    json.key("operation").value(o.step->operation).key("mechanism").value(o.step->mechanism);
    json.key("key").value(o.step->key);
    json.key("result").value(o.unsupported() ? "unsupported" : o.failed() ? "failed" : "ok");
    if (o.failed()) {
      json.key("error");
      write_error_json(json, o.outcome.error());
    }
    json.key("us").value(static_cast<std::uint64_t>(o.micros));
    json.end_object();
  }
  json.end_array();
  const Tally counts = tally(outcomes);
  json.key("ok").value(std::uint64_t{counts.ok});
  json.key("unsupported").value(std::uint64_t{counts.unsupported});
  json.key("failed").value(std::uint64_t{counts.failed});
  json.key("audit_trail");
  if (trail.file) {
    json.begin_object().key("file").value(trail.file->string());
    json.key("records").value(trail.checked ? std::optional<std::uint64_t>(trail.records)
                                            : std::nullopt);
    // true: verified; false: the chain is broken; null: not checked here, or the check failed
    // for another reason (the error object follows on stderr).
    json.key("intact");
    const bool broken = trail.failure && trail.failure->code() == ErrorCode::AuthenticationFailed;
    if (trail.checked || broken) {
      json.value(trail.checked);
    } else {
      json.null();
    }
    json.key("deleted").value(trail.temporary).end_object();
  } else {
    json.null();
  }
  json.end_object();
  return json.str() + "\n";
}

Result<void> run_demo(const GlobalOptions& global, const DemoOptions& options) {
  CRATON_ASSIGN_OR_RETURN(CliConfig cli_config, build_config(global));
  CRATON_ASSIGN_OR_RETURN(const TrailToCheck trail, set_up_audit(options, cli_config.config));
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<CryptoBackend> token,
                          make_pkcs11_backend(std::move(cli_config.config)));
  const std::unique_ptr<CryptoBackend> software = make_software_backend();
  CRATON_ASSIGN_OR_RETURN(const DemoKeys keys, make_demo_keys(*software));

  const std::vector<DemoStep> steps = demo_steps(keys);
  std::vector<StepOutcome> outcomes;
  for (const DemoStep& step : steps) {
    const auto start = std::chrono::steady_clock::now();
    Result<void> outcome = step.run(*token, *software);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
    outcomes.push_back({&step, std::move(outcome), micros});
  }
  const std::string token_name(token->name());
  const std::string reference(software->name());
  token.reset();  // flushes the trail and records BackendStop
  const TrailReport checked = check_audit(trail);
  if (options.json) {
    CRATON_RETURN_IF_ERROR(write_stdout(render_json(token_name, reference, outcomes, checked)));
  } else {
    CRATON_RETURN_IF_ERROR(write_stdout(render_text(token_name, reference, outcomes)));
    if (!checked.failure) CRATON_RETURN_IF_ERROR(write_stdout(audit_text(checked)));
  }
  if (checked.failure) return std::unexpected(*checked.failure);
  if (const std::size_t failures = tally(outcomes).failed; failures > 0) {
    return fail(ErrorCode::Internal, fmt::format("{} demo step(s) failed", failures));
  }
  return {};
}

}  // namespace

void add_demo_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  CLI::App* demo = app.add_subcommand(
      "demo", "run every operation once on the token and cross-check it in software");
  auto options = std::make_shared<DemoOptions>();
  auto* no_audit =
      demo->add_flag("--no-audit", options->no_audit, "run without the demo's own audit trail");
  demo->add_option("--audit-dir", options->audit_dir,
                   "keep the demo's audit trail and its key in DIR")
      ->type_name("DIR")
      ->excludes(no_audit);
  demo->add_flag("--json", options->json,
                 "print one JSON object (the steps, their results and the trail's check)");
  demo->footer(kDemoFooter);
  demo->callback([&global, &action, options] {
    action = [&global, options] { return run_demo(global, *options); };
  });
}

}  // namespace craton::hsm::cli
