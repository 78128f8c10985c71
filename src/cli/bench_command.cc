// SPDX-License-Identifier: Apache-2.0
// Runs the benchmark engine on the configured token and prints its table or JSON.
#include "cli/bench_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench/bench_session.h"
#include "bench/checks.h"
#include "cli/bench_progress.h"
#include "cli/io.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kBenchFooter = R"(
Measures each case the token supports three ways in the same run: direct PKCS#11 calls on a
dedicated session (the baseline), the Craton HSM passthrough backend, and the OpenSSL software
backend; RATIO is backend/raw throughput. Keys are generated in software and imported as
session objects; everything created is destroyed, and the token's object count is checked.

Each measurement is the best of 10 rounds of 0.2 s, the subjects interleaved round by round
(the suite's default): on a shared machine a slow spell lasts seconds, and one long round
would measure it instead of the token. A case the token cannot run (it lacks the mechanism,
refuses the key import or the parameters) is listed as skipped with the reason, and the run
goes on; a failure every case would meet (login, device, audit trail) stops it. A --cases
name that selects no case is a usage error (exit 2); a run that could measure nothing exits 3.

--audit also measures the backend with an audit trail (AUDIT on/off = audited/unaudited
throughput) and checks the trail afterwards. The trail is a throwaway one in a private
temporary directory with a fresh key, never the configured [audit] file; its durability is the
configured one, per_batch without an [audit] table. Without --audit no trail is written.
--budget (and --budget-postgres CONNINFO) also measure aes256-gcm-1k with its GCM budget in a
durable store (docs/budgets.md): a throwaway SQLite file with a throwaway identity key (and
that PostgreSQL database), against the in-memory budget, with the reservations each made.

Cases: ecdsa-p256-sign ecdsa-p256-verify rsa2048-pkcs1-sign rsa2048-pss-sign ed25519-sign
aes256-gcm-<size> hmac-sha256-1k sha256-1k random-32 (a prefix selects several).

Example:
  CRATON_HSM_PIN=1234 craton-hsm bench --module /usr/lib/softhsm/libsofthsm2.so \
      --token-label ci-token --cases ecdsa,aes256-gcm --threads 1,2)";

struct BenchArgs {
  std::vector<std::string> cases;
  std::vector<unsigned> threads;
  // The suite's defaults (bench::BenchOptions), which repeat within a few percent.
  double duration_seconds = 0.2;
  unsigned rounds = 10;
  std::vector<std::size_t> sizes;
  bool json = false;
  bool no_software = false;
  bool no_miss = false;
  bool audit = false;
  bool budget = false;
  std::string budget_postgres;
};

// Every --cases name must select a case, or a typo would measure nothing and exit 0.
Result<void> check_case_filters(const bench::BenchOptions& options) {
  const std::vector<bench::BenchCase> cases =
      bench::all_cases(options.gcm_sizes, options.with_misses, options.with_resident);
  for (const std::string& filter : options.case_filters) {
    const auto selects = [&](const bench::BenchCase& c) { return c.name.starts_with(filter); };
    if (std::ranges::any_of(cases, selects)) continue;
    std::vector<std::string> names;
    for (const bench::BenchCase& c : cases) {
      if (std::ranges::find(names, c.name) == names.end()) names.push_back(c.name);
    }
    return fail(ErrorCode::InvalidArgument,
                fmt::format("--cases {:?} selects no case (a case is chosen by its name or a "
                            "prefix of it): {}",
                            filter, fmt::join(names, ", ")));
  }
  return {};
}

// What a token may refuse for one case (its key import, mechanism, parameters or sizes) while
// other cases still run. Everything else (login, a lost device or session, the throwaway audit
// trail, our own bugs) would fail every case the same way, so the run stops there.
bool case_cannot_run(ErrorCode code) {
  switch (code) {
    case ErrorCode::MechanismInvalid:
    case ErrorCode::MechanismParamInvalid:
    case ErrorCode::MechanismUnsupported:
    case ErrorCode::KeySizeRange:
    case ErrorCode::KeyTypeInconsistent:
    case ErrorCode::KeyFunctionNotPermitted:
    case ErrorCode::AttributeInvalid:
    case ErrorCode::AttributeSensitive:
    case ErrorCode::TemplateInvalid:
    case ErrorCode::DataInvalid:
    case ErrorCode::DataLenRange:
    case ErrorCode::FunctionNotSupported:
    case ErrorCode::DeviceMemory:
    case ErrorCode::Pkcs11Failure:
      return true;
    default:
      return false;
  }
}

Result<void> run_bench(const GlobalOptions& global, const BenchArgs& args) {
  bench::BenchOptions options;
  options.case_filters = args.cases;
  options.threads = args.threads;
  options.duration = std::chrono::milliseconds(static_cast<long>(args.duration_seconds * 1000));
  options.rounds = args.rounds;
  if (!args.sizes.empty()) options.gcm_sizes = args.sizes;
  options.with_software = !args.no_software;
  options.with_misses = !args.no_miss;
  CRATON_RETURN_IF_ERROR(check_case_filters(options));
  CRATON_ASSIGN_OR_RETURN(CliConfig cli_config, build_config(global));
  if (args.audit) {
    const auto& configured = cli_config.config.audit;
    options.audit = configured ? configured->durability : AuditDurability::PerBatch;
  }
  options.budget_sqlite = args.budget;
  if (!args.budget_postgres.empty()) options.budget_postgres = args.budget_postgres;
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<bench::BenchSession> session,
                          bench::BenchSession::open(std::move(cli_config.config), options));

  const auto& threads = session->options().threads;
  const bool terminal = isatty(fileno(stderr)) == 1;
  BenchProgress progress(args.json && !terminal ? nullptr : stderr,
                         session->cases().size() * threads.size(), terminal);
  std::vector<bench::CaseResult> results;
  std::vector<bench::SkippedCase> skipped;
  for (const bench::BenchCase& c : session->cases()) {
    for (const unsigned n : threads) {
      progress.step(fmt::format("{} x{}", c.label(), n));
      Result<bench::CaseResult> result = session->measure(c, n);
      if (result) {
        results.push_back(std::move(*result));
        continue;
      }
      if (!case_cannot_run(result.error().code())) return std::unexpected(result.error());
      // The same refusal would come at every thread count: the case is skipped from here on.
      const bool first = n == threads.front();
      skipped.push_back(
          {c.label(),
           fmt::format("{}{}", first ? "" : fmt::format("at {} threads: ", n), result.error())});
      break;
    }
  }
  progress.finish();
  const bool measured_nothing = results.empty();
  CRATON_ASSIGN_OR_RETURN(bench::BenchReport report, session->finish(std::move(results)));
  report.skipped.insert(report.skipped.end(), skipped.begin(), skipped.end());
  const std::vector<bench::Check> checks = bench::evaluate_targets(report);
  CRATON_RETURN_IF_ERROR(write_stdout(args.json ? bench::render_json(report, checks)
                                                : fmt::format("{}\n{}", bench::render_table(report),
                                                              bench::render_checks(checks))));
  if (report.objects_after != report.objects_before) {
    return fail(ErrorCode::Internal,
                fmt::format("the token held {} objects before the run and {} after",
                            report.objects_before, report.objects_after));
  }
  if (report.audit_trail && !report.audit_trail->intact) {
    return fail(
        ErrorCode::AuditUnavailable,
        fmt::format("the benchmark's audit trail is broken: {}", report.audit_trail->problem));
  }
  if (measured_nothing) {
    return fail(ErrorCode::MechanismUnsupported,
                "none of the selected cases could run on this token (see the skipped lines)");
  }
  return {};
}

}  // namespace

void add_bench_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  CLI::App* bench = app.add_subcommand(
      "bench", "measure the token through Craton HSM against direct PKCS#11 calls");
  bench->footer(kBenchFooter);
  auto args = std::make_shared<BenchArgs>();
  bench->add_option("--cases", args->cases, "case names or prefixes (default: all supported)")
      ->delimiter(',');
  bench->add_option("--threads", args->threads, "thread counts (default: 1,2,2x cores)")
      ->delimiter(',')
      ->check(CLI::Range(1u, 256u));
  bench
      ->add_option("--duration", args->duration_seconds,
                   "seconds per subject per round (default: 0.2)")
      ->check(CLI::Range(0.001, 3600.0));
  bench
      ->add_option("--rounds", args->rounds,
                   "rounds, the subjects interleaved; the best counts (default: 10)")
      ->check(CLI::Range(1u, 100u));
  bench->add_option("--sizes", args->sizes, "AES-GCM message sizes in bytes")
      ->delimiter(',')
      ->check(CLI::Range(std::size_t{1}, std::size_t{64} << 20));
  bench->add_flag("--json", args->json, "print the report as JSON");
  bench->add_flag("--no-software", args->no_software, "skip the software backend");
  bench->add_flag("--no-miss", args->no_miss, "skip the cache-miss (import) cases");
  bench->add_flag("--audit", args->audit,
                  "also measure with an audit trail (throwaway file, configured durability)");
  bench->add_flag("--budget", args->budget,
                  "also measure aes256-gcm-1k with its GCM budget in a throwaway SQLite store");
  bench->add_option("--budget-postgres", args->budget_postgres,
                    "also with the budget in this PostgreSQL database (a libpq connection "
                    "string without a password; libpq's PGPASSWORD or .pgpass supply one)");
  bench->callback(
      [&global, &action, args] { action = [&global, args] { return run_bench(global, *args); }; });
}

}  // namespace craton::hsm::cli
