// SPDX-License-Identifier: Apache-2.0
// Runs the demo steps against the token and prints one table row per step.
#include "cli/demo_command.h"

#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/software_backend.h>

#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "cli/demo_steps.h"
#include "cli/table.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kFooter = R"(
Runs sign/verify, AES-GCM/CBC/CTR, key wrap, RSA-OAEP, ECDH, HMAC, digests, random and key
generation once on the token, and checks every result with the OpenSSL software backend.
Keys are session objects that disappear when the command ends.

Example:
  CRATON_HSM_PIN=1234 craton-hsm demo --module /usr/lib/softhsm/libsofthsm2.so --token-label ci-token)";

Result<void> run_demo(const GlobalOptions& global) {
  CRATON_ASSIGN_OR_RETURN(CliConfig cli_config, build_config(global));
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
  if (failures > 0) {
    return fail(ErrorCode::Internal, fmt::format("{} demo step(s) failed", failures));
  }
  return {};
}

}  // namespace

void add_demo_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  CLI::App* demo = app.add_subcommand(
      "demo", "run every operation once on the token and cross-check it in software");
  demo->footer(kFooter);
  demo->callback([&global, &action] { action = [&global] { return run_demo(global); }; });
}

}  // namespace craton::hsm::cli
