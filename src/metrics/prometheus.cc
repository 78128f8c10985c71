// SPDX-License-Identifier: Apache-2.0
// render_prometheus: BackendStats in the Prometheus text exposition format 0.0.4 (one HELP and
// one TYPE line per family, then its samples; label values escaped).
#include <craton/hsm/stats.h>

#include <array>
#include <utility>

#include <fmt/format.h>

namespace craton::hsm {
namespace {

constexpr double kMicrosPerSecond = 1e6;

// Label values escape backslash, double quote and line feed (exposition format 0.0.4).
std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

class Writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP craton_hsm_{} {}\n# TYPE craton_hsm_{} {}\n",
                   name, help, name, type);
  }
  // `labels` is the inside of the braces, already escaped; empty for none.
  template <typename Value>
  void sample(std::string_view name, std::string_view labels, Value value) {
    if (labels.empty()) {
      fmt::format_to(std::back_inserter(out_), "craton_hsm_{} {}\n", name, value);
    } else {
      fmt::format_to(std::back_inserter(out_), "craton_hsm_{}{{{}}} {}\n", name, labels, value);
    }
  }
  template <typename Value>
  void single(std::string_view name, std::string_view type, std::string_view help, Value value) {
    family(name, type, help);
    sample(name, {}, value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

void render_pool(Writer& w, const BackendStats& s) {
  w.single("pool_sessions", "gauge", "Sessions the pool holds.", s.pool_size);
  w.single("sessions_open", "gauge", "Sessions open now (opened minus closed).", s.sessions_open);
  const std::array<std::pair<const char*, std::pair<const char*, std::uint64_t>>, 19> counters{{
      {"sessions_opened_total", {"Sessions opened.", s.sessions_opened}},
      {"sessions_closed_total", {"Sessions closed.", s.sessions_closed}},
      {"sessions_rebuilt_total", {"Dead sessions replaced.", s.sessions_rebuilt}},
      {"session_rebuild_failures_total", {"Failed session rebuilds.", s.rebuild_failures}},
      {"logins_total", {"C_Login calls.", s.logins}},
      {"acquire_waits_total", {"Acquires that waited for a free session.", s.acquire_waits}},
      {"acquire_timeouts_total", {"Acquires that timed out (PoolTimeout).", s.acquire_timeouts}},
      {"retries_total", {"Operations re-run on a rebuilt session.", s.retries}},
      {"abandoned_operations_total",
       {"Sessions released with an operation active.", s.abandoned_operations}},
      {"module_reinits_total", {"Module re-initialisations.", s.module_reinits}},
      {"module_reinit_failures_total",
       {"Failed module re-initialisations.", s.module_reinit_failures}},
      {"breaker_opened_total", {"Times the circuit breaker opened.", s.breaker_opened}},
      {"breaker_rejections_total",
       {"Calls failed fast while the breaker was open.", s.breaker_rejections}},
      {"key_cache_hits_total", {"Material keys found imported in the session.", s.key_cache_hits}},
      {"key_cache_misses_total", {"Material keys imported into a session.", s.key_cache_misses}},
      {"key_cache_evictions_total",
       {"Imported keys destroyed to make room.", s.key_cache_evictions}},
      {"import_switches_to_unwrap_total",
       {"Key classes import_method auto switched to C_UnwrapKey.", s.import_switches_to_unwrap}},
      {"transport_keys_generated_total",
       {"RSA transport key pairs generated for import by unwrap.", s.transport_keys_generated}},
      {"gcm_max_messages_per_key", {"AES-GCM message budget per key.", s.gcm_max_messages_per_key}},
  }};
  for (const auto& [name, help_value] : counters) {
    const std::string_view n = name;
    w.single(n, n.ends_with("_total") ? "counter" : "gauge", help_value.first, help_value.second);
  }
  w.family("breaker_state", "gauge", "1 for the circuit breaker's current state, else 0.");
  for (const BreakerStatus state :
       {BreakerStatus::Closed, BreakerStatus::Open, BreakerStatus::HalfOpen}) {
    w.sample("breaker_state", fmt::format("state=\"{}\"", breaker_status_name(state)),
             state == s.breaker ? 1 : 0);
  }
}

void render_concurrency(Writer& w, const BackendStats& s) {
  if (s.concurrency.empty()) return;
  const auto per_class = [&](std::string_view family, std::string_view type, std::string_view help,
                             auto value) {
    w.family(family, type, help);
    for (const auto& [name, c] : s.concurrency) {
      w.sample(family, fmt::format("class=\"{}\"", escape_label(name)), value(c));
    }
  };
  per_class("concurrency_limit", "gauge", "Operations of the class allowed on the token at once.",
            [](const ConcurrencyStats& c) { return std::uint64_t{c.limit}; });
  per_class("concurrency_in_flight", "gauge", "Operations of the class on the token now.",
            [](const ConcurrencyStats& c) { return std::uint64_t{c.in_flight}; });
  per_class("concurrency_waiting", "gauge", "Callers queued for the class now.",
            [](const ConcurrencyStats& c) { return std::uint64_t{c.waiting}; });
  per_class("concurrency_queued_total", "counter", "Operations that had to wait for a place.",
            [](const ConcurrencyStats& c) { return c.queued; });
  per_class("concurrency_timeouts_total", "counter", "Callers that gave up waiting (PoolTimeout).",
            [](const ConcurrencyStats& c) { return c.timeouts; });
  per_class("concurrency_combined_total", "counter",
            "Operations run for their callers by a thread that held a place.",
            [](const ConcurrencyStats& c) { return c.combined; });
}

void render_budgets(Writer& w, const BackendStats& s) {
  // An info metric: the store's name is a label (a path or host, never a password).
  w.family("budget_store_info", "gauge", "Where AES-GCM budgets are counted ([budget] store).");
  w.sample("budget_store_info", fmt::format("store=\"{}\"", escape_label(s.budget_store)), 1);
  w.single("budget_reservations_total", "counter",
           "Blocks of AES-GCM counts reserved in the durable budget store.", s.budget_reservations);
  if (!s.gcm_budget_used.empty()) {
    w.family("gcm_budget_used_ratio", "gauge",
             "AES-GCM messages used per key, as a fraction of gcm_max_messages_per_key.");
    for (const auto& [key, used] : s.gcm_budget_used) {
      w.sample("gcm_budget_used_ratio", fmt::format("key=\"{}\"", escape_label(key)), used);
    }
  }
  if (!s.gcm_budget_exhausted.empty()) {
    w.family("gcm_budget_exhausted", "gauge",
             "1 per key whose AES-GCM budget is spent: encryption refuses it until rotated.");
    for (const std::string& key : s.gcm_budget_exhausted) {
      w.sample("gcm_budget_exhausted", fmt::format("key=\"{}\"", escape_label(key)), 1);
    }
  }
}

void render_operations(Writer& w, const BackendStats& s) {
  if (s.operations.empty()) return;
  w.family("operations_total", "counter", "Calls per public operation, failed ones included.");
  for (const auto& [op, stats] : s.operations) {
    w.sample("operations_total", fmt::format("operation=\"{}\"", escape_label(op)), stats.count);
  }
  w.family("operation_errors_total", "counter", "Failed calls per operation and error code.");
  for (const auto& [op, stats] : s.operations) {
    for (const auto& [code, n] : stats.errors_by_code) {
      w.sample("operation_errors_total",
               fmt::format("operation=\"{}\",code=\"{}\"", escape_label(op), escape_label(code)),
               n);
    }
  }
  w.family("operation_latency_seconds", "gauge",
           "Latency percentiles per operation since start (bucket upper edges, <=12.5% high).");
  for (const auto& [op, stats] : s.operations) {
    const std::string label = escape_label(op);
    for (const auto& [q, value] : {std::pair{"0.5", stats.p50_us}, std::pair{"0.9", stats.p90_us},
                                   std::pair{"0.99", stats.p99_us}}) {
      w.sample("operation_latency_seconds",
               fmt::format("operation=\"{}\",quantile=\"{}\"", label, q), value / kMicrosPerSecond);
    }
  }
  w.family("operation_latency_max_seconds", "gauge", "Longest call per operation since start.");
  for (const auto& [op, stats] : s.operations) {
    w.sample("operation_latency_max_seconds", fmt::format("operation=\"{}\"", escape_label(op)),
             stats.max_us / kMicrosPerSecond);
  }
}

}  // namespace

std::string render_prometheus(const BackendStats& stats) {
  Writer writer;
  render_pool(writer, stats);
  render_concurrency(writer, stats);
  render_budgets(writer, stats);
  render_operations(writer, stats);
  return writer.take();
}

}  // namespace craton::hsm
