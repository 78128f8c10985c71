// SPDX-License-Identifier: Apache-2.0
// Runs the demo steps against the token and prints one table row per step.
#include "cli/demo_command.h"

#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/software_backend.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/demo_audit.h"
#include "cli/demo_steps.h"
#include "cli/table.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kFooter = R"(
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

// Runs after the backend is gone, so every record (BackendStop included) is on disk.
Result<void> report_audit(const TrailToCheck& trail) {
  if (trail.own) {
    CRATON_ASSIGN_OR_RETURN(
        const std::string line,
        verify_trail_file(trail.own->file(), trail.own->config().key_file.value()));
    fmt::print("{}{}\n", line,
               trail.own->temporary() ? ", deleted on exit (keep it with --audit-dir DIR)" : "");
  } else if (trail.configured && trail.configured->key_file) {
    CRATON_ASSIGN_OR_RETURN(const std::string line,
                            verify_trail_file(trail.configured->file, *trail.configured->key_file));
    fmt::print("{}\n", line);
  } else if (trail.configured) {
    fmt::print("audit trail: {} (chain key on the token: check it with craton-hsm audit verify)\n",
               trail.configured->file.string());
  } else {
    fmt::print("audit trail: off (--no-audit)\n");
  }
  std::fflush(stdout);
  return {};
}

Result<void> run_demo(const GlobalOptions& global, const DemoOptions& options) {
  CRATON_ASSIGN_OR_RETURN(CliConfig cli_config, build_config(global));
  CRATON_ASSIGN_OR_RETURN(const TrailToCheck trail, set_up_audit(options, cli_config.config));
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<CryptoBackend> token,
                          make_pkcs11_backend(std::move(cli_config.config)));
  const std::unique_ptr<CryptoBackend> software = make_software_backend();
  CRATON_ASSIGN_OR_RETURN(const DemoKeys keys, make_demo_keys(*software));

  Table table({{"OPERATION"}, {"MECHANISM"}, {"KEY"}, {"RESULT"}, {"µs", Align::Right}});
  int failures = 0;
  int unsupported = 0;
  const std::vector<DemoStep> steps = demo_steps(keys);
  for (const DemoStep& step : steps) {
    const auto start = std::chrono::steady_clock::now();
    const Result<void> outcome = step.run(*token, *software);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
    std::string result = "ok";
    if (!outcome && outcome.error().code() == ErrorCode::MechanismUnsupported) {
      result = "unsupported by this token";
      ++unsupported;
    } else if (!outcome) {
      result = fmt::format("FAILED: {}", outcome.error());
      ++failures;
    }
    table.add_row({step.operation, step.mechanism, step.key, result, std::to_string(micros)});
  }
  fmt::print("Token backend: {}   reference: {}\n\n{}\n", token->name(), software->name(),
             table.render());
  fmt::print("{} steps: {} ok, {} unsupported by the token, {} failed\n", steps.size(),
             steps.size() - static_cast<std::size_t>(failures + unsupported), unsupported,
             failures);
  std::fflush(stdout);
  token.reset();  // flushes the trail and records BackendStop
  CRATON_RETURN_IF_ERROR(report_audit(trail));
  if (failures > 0) {
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
  demo->footer(kFooter);
  demo->callback([&global, &action, options] {
    action = [&global, options] { return run_demo(global, *options); };
  });
}

}  // namespace craton::hsm::cli
