// SPDX-License-Identifier: Apache-2.0
// Registers `craton-hsm status` and renders health() and stats() for an operator.
#include "cli/status_command.h"

#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "cli/io.h"
#include "cli/json_writer.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kStatusFooter = R"(
Opens the token as every command does (a configured PIN logs in; status never prompts), asks
health() (one C_GetSessionInfo probe) and prints it with the backend's counters. The counters
are this process's: a fresh backend, so mostly the pool's start-up. Exit 0 when ready; 0 with
a note on stderr when degraded (a recent recovery, or the breaker half-open); 3 when down (the
probe failed or the breaker is open), as for any failed operation. --json prints one object
(docs/cli-json.md), --prometheus the text exposition format (docs/observability.md).

Examples:
  craton-hsm status --config /etc/craton/hsm.toml
  craton-hsm status --config /etc/craton/hsm.toml --json | jq .health.state)";

struct StatusOptions {
  bool json = false;
  bool prometheus = false;
};

void write_operation(JsonWriter& json, const OperationStats& op) {
  json.begin_object();
  json.key("count").value(op.count);
  json.key("errors").value(op.errors);
  json.key("p50_us").value(op.p50_us);
  json.key("p90_us").value(op.p90_us);
  json.key("p99_us").value(op.p99_us);
  json.key("max_us").value(op.max_us);
  json.key("errors_by_code").begin_object();
  for (const auto& [code, n] : op.errors_by_code) json.key(code).value(n);
  json.end_object();
  json.end_object();
}

void write_counters(JsonWriter& json, const BackendStats& s) {
  json.key("pool_size").value(s.pool_size);
  json.key("sessions_open").value(s.sessions_open);
  json.key("sessions_opened").value(s.sessions_opened);
  json.key("sessions_closed").value(s.sessions_closed);
  json.key("sessions_rebuilt").value(s.sessions_rebuilt);
  json.key("rebuild_failures").value(s.rebuild_failures);
  json.key("logins").value(s.logins);
  json.key("acquire_waits").value(s.acquire_waits);
  json.key("acquire_timeouts").value(s.acquire_timeouts);
  json.key("retries").value(s.retries);
  json.key("abandoned_operations").value(s.abandoned_operations);
  json.key("module_reinits").value(s.module_reinits);
  json.key("module_reinit_failures").value(s.module_reinit_failures);
  json.key("breaker").value(breaker_status_name(s.breaker));
  json.key("breaker_opened").value(s.breaker_opened);
  json.key("breaker_rejections").value(s.breaker_rejections);
  json.key("key_cache_hits").value(s.key_cache_hits);
  json.key("key_cache_misses").value(s.key_cache_misses);
  json.key("key_cache_evictions").value(s.key_cache_evictions);
  json.key("import_switches_to_unwrap").value(s.import_switches_to_unwrap);
  json.key("transport_keys_generated").value(s.transport_keys_generated);
  json.key("gcm_max_messages_per_key").value(s.gcm_max_messages_per_key);
}

Result<void> run_status(const GlobalOptions& global, const StatusOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const std::unique_ptr<Pkcs11Backend> backend, open_token(global));
  const Health health = backend->health();
  const BackendStats stats = backend->stats();
  std::string text;
  if (options.prometheus) {
    text = render_prometheus(stats);
  } else if (options.json) {
    text = render_status_json(health, stats);
  } else {
    text = render_status_text(health, stats);
  }
  CRATON_RETURN_IF_ERROR(write_stdout(text));
  if (health.state == HealthState::Down) {
    return fail(ErrorCode::DeviceUnavailable, fmt::format("the token is down: {}", health.reason));
  }
  if (health.state == HealthState::Degraded) {
    std::fputs(fmt::format("craton-hsm: note: degraded: {}\n", health.reason).c_str(), stderr);
  }
  return {};
}

}  // namespace

std::string render_status_json(const Health& health, const BackendStats& stats) {
  JsonWriter json;
  json.begin_object();
  json.key("health").begin_object();
  json.key("state").value(health_state_name(health.state));
  json.key("reason").value(health.reason);
  json.end_object();
  json.key("stats").begin_object();
  write_counters(json, stats);
  json.key("gcm_budget_used").begin_object();
  for (const auto& [key, used] : stats.gcm_budget_used) json.key(key).value(used);
  json.end_object();
  json.key("gcm_budget_exhausted").begin_array();
  for (const std::string& key : stats.gcm_budget_exhausted) json.value(key);
  json.end_array();
  json.key("budget_store").value(stats.budget_store);
  json.key("budget_reservations").value(stats.budget_reservations);
  json.key("concurrency").begin_object();
  for (const auto& [name, c] : stats.concurrency) {
    json.key(name).begin_object();
    json.key("setting").value(c.setting);
    json.key("limit").value(std::uint64_t{c.limit});
    json.key("in_flight").value(std::uint64_t{c.in_flight});
    json.key("waiting").value(std::uint64_t{c.waiting});
    json.key("queued").value(c.queued);
    json.key("timeouts").value(c.timeouts);
    json.key("combined").value(c.combined);
    json.key("limit_increases").value(c.limit_increases);
    json.key("limit_decreases").value(c.limit_decreases);
    json.key("wait_p50_us").value(c.wait_p50_us);
    json.key("wait_p99_us").value(c.wait_p99_us);
    json.end_object();
  }
  json.end_object();
  json.key("operations").begin_object();
  for (const auto& [name, op] : stats.operations) {
    json.key(name);
    write_operation(json, op);
  }
  json.end_object();
  json.end_object();
  json.end_object();
  return json.str() + "\n";
}

std::string render_status_text(const Health& health, const BackendStats& s) {
  std::string out = fmt::format("health: {}{}\n", health_state_name(health.state),
                                health.reason.empty() ? "" : fmt::format(" ({})", health.reason));
  fmt::format_to(std::back_inserter(out),
                 "sessions: {} open of {} (opened {}, closed {}, rebuilt {}, rebuild failures "
                 "{})\n",
                 s.sessions_open, s.pool_size, s.sessions_opened, s.sessions_closed,
                 s.sessions_rebuilt, s.rebuild_failures);
  fmt::format_to(std::back_inserter(out),
                 "pool: logins {}, acquire waits {}, acquire timeouts {}, retries {}, abandoned "
                 "operations {}\n",
                 s.logins, s.acquire_waits, s.acquire_timeouts, s.retries, s.abandoned_operations);
  fmt::format_to(std::back_inserter(out), "module: re-initialisations {}, failures {}\n",
                 s.module_reinits, s.module_reinit_failures);
  fmt::format_to(std::back_inserter(out), "breaker: {} (opened {}, rejections {})\n",
                 breaker_status_name(s.breaker), s.breaker_opened, s.breaker_rejections);
  fmt::format_to(std::back_inserter(out), "key cache: hits {}, misses {}, evictions {}\n",
                 s.key_cache_hits, s.key_cache_misses, s.key_cache_evictions);
  fmt::format_to(std::back_inserter(out),
                 "import by unwrap: classes switched by auto {}, transport keys generated {}\n",
                 s.import_switches_to_unwrap, s.transport_keys_generated);
  for (const auto& [key, used] : s.gcm_budget_used) {
    fmt::format_to(std::back_inserter(out), "gcm budget: key {} {:.6f} of {}\n", key, used,
                   s.gcm_max_messages_per_key);
  }
  if (s.budget_store != "memory") {
    fmt::format_to(std::back_inserter(out), "gcm budget store: {} ({} reservations)\n",
                   s.budget_store, s.budget_reservations);
  }
  for (const std::string& key : s.gcm_budget_exhausted) {
    fmt::format_to(std::back_inserter(out), "gcm budget: key {} spent: rotate it\n", key);
  }
  for (const auto& [name, c] : s.concurrency) {
    fmt::format_to(std::back_inserter(out),
                   "concurrency {}: {} (limit {}, in flight {}, waiting {}; {} waited, {} timed "
                   "out, {} combined, wait p50 {} us, p99 {} us)\n",
                   name, c.setting, c.limit, c.in_flight, c.waiting, c.queued, c.timeouts,
                   c.combined, c.wait_p50_us, c.wait_p99_us);
  }
  for (const auto& [name, op] : s.operations) {
    fmt::format_to(std::back_inserter(out),
                   "operation {}: {} calls, {} errors, p50 {} us, p90 {} us, p99 {} us, max {} "
                   "us\n",
                   name, op.count, op.errors, op.p50_us, op.p90_us, op.p99_us, op.max_us);
    for (const auto& [code, n] : op.errors_by_code) {
      fmt::format_to(std::back_inserter(out), "  {}: {}\n", code, n);
    }
  }
  return out;
}

void add_status_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* status =
      app.add_subcommand("status", "show the token's health and the backend's counters");
  auto* json = status->add_flag("--json", options->json, "print one JSON object instead of text");
  status->add_flag("--prometheus", options->prometheus, "print the Prometheus text format")
      ->excludes(json);
  status->footer(kStatusFooter);
  status->callback([&global, &action, options] {
    action = [&global, options] { return run_status(global, *options); };
  });
}

}  // namespace craton::hsm::cli
