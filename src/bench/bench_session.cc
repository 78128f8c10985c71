// SPDX-License-Identifier: Apache-2.0
// The engine: key set-up per case, one operation per thread for each subject, interleaved
// best-of-N rounds, and the teardown that proves nothing was left on the token.
#include "bench/bench_session.h"

#include <craton/hsm/diagnostics.h>
#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/software_backend.h>
#include <unistd.h>

#include <fmt/format.h>

#include "bench/backend_ops.h"
#include "bench/timing_loop.h"
#include "core/hex.h"

namespace craton::hsm::bench {
namespace {

using raw::CallCounts;
using raw::RawInputs;
using raw::RawWorker;

constexpr std::size_t kWarmupOps = 4;

std::optional<KeyAlgorithm> algorithm_for(RawOp op) {
  switch (op) {
    case RawOp::EcdsaP256Sign:
    case RawOp::EcdsaP256Verify:
      return KeyAlgorithm::EcP256;
    case RawOp::RsaPkcs1v15Sha256Sign:
    case RawOp::RsaPssSha256Sign:
      return KeyAlgorithm::Rsa2048;
    case RawOp::Ed25519Sign:
      return KeyAlgorithm::Ed25519;
    case RawOp::AesGcmEncrypt:
      return KeyAlgorithm::Aes256;
    case RawOp::HmacSha256:
    case RawOp::Sha256:
    case RawOp::Random:
      break;
  }
  return std::nullopt;
}

// The concurrency class an operation of the case counts in (concurrency.h).
OperationClass operation_class_of(RawOp op) {
  switch (op) {
    case RawOp::EcdsaP256Sign:
    case RawOp::EcdsaP256Verify:
    case RawOp::Ed25519Sign:
      return OperationClass::Ec;
    case RawOp::RsaPkcs1v15Sha256Sign:
    case RawOp::RsaPssSha256Sign:
      return OperationClass::Rsa;
    case RawOp::AesGcmEncrypt:
    case RawOp::HmacSha256:
      return OperationClass::Symmetric;
    case RawOp::Sha256:
    case RawOp::Random:
      break;
  }
  return OperationClass::Other;
}

// The limit `backend` holds for `op`'s class now; 0 when the class is not limited.
std::uint32_t settled_limit(const Pkcs11Backend& backend, RawOp op) {
  const BackendStats stats = backend.stats();
  const auto found =
      stats.concurrency.find(std::string(operation_class_name(operation_class_of(op))));
  return found == stats.concurrency.end() ? 0 : found->second.limit;
}

Bytes pattern(std::size_t size) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 131 + 7);
  return bytes;
}

void keep_best(std::optional<Measurement>& best, const Measurement& candidate) {
  const double slowest =
      best ? std::min(best->slowest_round_ops, candidate.ops_per_second) : candidate.ops_per_second;
  if (!best || candidate.ops_per_second > best->ops_per_second) best = candidate;
  best->slowest_round_ops = slowest;
}

std::string_view durability_name(AuditDurability durability) {
  switch (durability) {
    case AuditDurability::PerRecord:
      return "per_record";
    case AuditDurability::PerBatch:
      break;
    case AuditDurability::None:
      return "none";
  }
  return "per_batch";
}

}  // namespace

// The keys and inputs of one case: one key for a hit case, more than the cache holds for a
// miss case (each thread walks them in a ring from its own starting point), one resident key
// (found again through the audited backend, which cannot use backend_'s) for a resident case.
struct BenchSession::CaseKeys {
  std::vector<Key> backend_keys;
  std::vector<Key> audited_keys;   // empty: the audited backend uses backend_keys
  std::vector<Key> adaptive_keys;  // empty: the adaptive backend uses backend_keys
  std::optional<Key> raw_key;
  std::unique_ptr<raw::RawTokenKey> raw_token_key;
  Bytes message;
  Bytes signature;
};

BenchSession::BenchSession(BenchOptions options) : options_(std::move(options)) {}

BenchSession::~BenchSession() {
  // Only after an error (finish() empties the list): leave no token object behind.
  if (auto destroyed = destroy_resident_keys(); !destroyed) report_diagnostic(destroyed.error());
}

Result<std::unique_ptr<BenchSession>> BenchSession::open(Pkcs11PassthroughConfig config,
                                                         BenchOptions options) {
  if (options.threads.empty()) options.threads = default_threads();
  if (options.rounds == 0) options.rounds = 1;
  std::unique_ptr<BenchSession> session(new BenchSession(std::move(options)));
  const BenchOptions& o = session->options_;
  if (o.adaptive) {
    // Sessions are not what the comparison is about: every thread can have one.
    const unsigned most = *std::max_element(o.threads.begin(), o.threads.end());
    config.pool_size = std::max(config.pool_size, most);
  }
  session->pool_size_ = config.pool_size;
  session->cache_capacity_ = config.cache_capacity;
  // The raw side opens first: its anchor session holds the login and counts the objects.
  CRATON_ASSIGN_OR_RETURN(session->raw_, raw::RawToken::open(config));
  CRATON_ASSIGN_OR_RETURN(session->objects_before_, session->raw_->count_objects());
  if (o.audit) {
    CRATON_ASSIGN_OR_RETURN(session->audit_trail_, ScratchAuditTrail::create(*o.audit));
    Pkcs11PassthroughConfig audited = config.clone();
    audited.audit = session->audit_trail_->config();
    CRATON_ASSIGN_OR_RETURN(session->audited_, make_pkcs11_backend(std::move(audited)));
  }
  // Never the configured trail: the unaudited backend is the baseline of the audit ratio.
  config.audit.reset();
  if (o.adaptive) {
    Pkcs11PassthroughConfig adaptive = config.clone();
    adaptive.concurrency = ConcurrencyConfig::all(ConcurrencyLimit::adaptive());
    CRATON_ASSIGN_OR_RETURN(session->adaptive_, make_pkcs11_backend(std::move(adaptive)));
  }
  if (o.budget_sqlite || o.budget_postgres) {
    CRATON_ASSIGN_OR_RETURN(session->budget_scratch_, ScratchBudget::create());
    std::vector<std::pair<std::string, BudgetConfig>> stores;
    if (o.budget_sqlite) stores.emplace_back("sqlite", session->budget_scratch_->sqlite());
    if (o.budget_postgres) {
      stores.emplace_back("postgresql", session->budget_scratch_->postgresql(*o.budget_postgres));
    }
    for (auto& [name, budget] : stores) {
      Pkcs11PassthroughConfig budgeted = config.clone();
      budgeted.budget = std::move(budget);
      CRATON_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11Backend> backend,
                              make_pkcs11_backend(std::move(budgeted)));
      session->budgeted_.emplace_back(name, std::move(backend));
    }
  }
  CRATON_ASSIGN_OR_RETURN(session->backend_, make_pkcs11_backend(std::move(config)));
  session->token_name_ = session->backend_->name();
  session->software_ = make_software_backend();
  for (BenchCase& c :
       select_cases(all_cases(o.gcm_sizes, o.with_misses, o.with_resident), o.case_filters)) {
    if (session->raw_->supports(c.op)) {
      session->cases_.push_back(std::move(c));
    } else {
      session->skipped_.push_back({c.label(), "the token does not list the mechanism"});
    }
  }
  return session;
}

Result<const BenchSession::CaseKeys*> BenchSession::keys_for(const BenchCase& c) {
  const std::string id = fmt::format("{}/{}", c.name, variant_name(c.variant));
  if (const auto found = keys_.find(id); found != keys_.end()) return found->second.get();
  auto keys = std::make_unique<CaseKeys>();
  keys->message = pattern(c.size);
  if (c.variant == KeyVariant::Resident) {
    CRATON_RETURN_IF_ERROR(make_resident_keys(c, *keys));
    const CaseKeys* result = keys.get();
    keys_.emplace(id, std::move(keys));
    return result;
  }
  const std::size_t count = c.is_miss() ? std::size_t{cache_capacity_} + 1 : 1;
  for (std::size_t i = 0; i < count; ++i) {
    if (c.op == RawOp::HmacSha256) {
      CRATON_ASSIGN_OR_RETURN(const Bytes secret, software_->random(32));
      CRATON_ASSIGN_OR_RETURN(Key key, Key::hmac(secret));
      keys->backend_keys.push_back(std::move(key));
    } else if (const auto algorithm = algorithm_for(c.op)) {
      CRATON_ASSIGN_OR_RETURN(Key key, software_->generate_key(*algorithm));
      keys->backend_keys.push_back(std::move(key));
    }
  }
  if (c.op == RawOp::EcdsaP256Verify) {
    // Verification as a relying party does it: with the public key, on a valid signature.
    const Key& signer = keys->backend_keys.front();
    CRATON_ASSIGN_OR_RETURN(keys->signature,
                            software_->sign(signer, SignScheme::EcdsaP256Sha256, keys->message));
    for (Key& key : keys->backend_keys) {
      CRATON_ASSIGN_OR_RETURN(Key public_key, key.public_key());
      key = std::move(public_key);
    }
  }
  if (!keys->backend_keys.empty()) keys->raw_key = keys->backend_keys.front();
  const CaseKeys* result = keys.get();
  keys_.emplace(id, std::move(keys));
  return result;
}

// One key of the case's algorithm generated on the token through the backend (and found
// again through the audited one), and the raw side's own token object of the same kind.
Result<void> BenchSession::make_resident_keys(const BenchCase& c, CaseKeys& keys) {
  const std::optional<KeyAlgorithm> algorithm = algorithm_for(c.op);
  if (!algorithm || c.op == RawOp::EcdsaP256Verify) {
    return fail(ErrorCode::InvalidArgument, fmt::format("{}: no resident variant", c.name));
  }
  CRATON_ASSIGN_OR_RETURN(const Bytes nonce, software_->random(8));
  const std::string label = fmt::format("craton-bench-{}-{}-{}", ::getpid(), c.name, to_hex(nonce));
  ResidentKeySpec spec;
  spec.algorithm = *algorithm;
  spec.label = label;
  CRATON_ASSIGN_OR_RETURN(spec.id, software_->random(16));
  CRATON_ASSIGN_OR_RETURN(Key key, backend_->generate_resident_key(spec));
  KeyRef ref;
  ref.label = spec.label;
  ref.id = spec.id;
  resident_.push_back(ref);
  keys.backend_keys.push_back(std::move(key));
  if (audited_) {
    CRATON_ASSIGN_OR_RETURN(Key found, audited_->find_key(ref));
    keys.audited_keys.push_back(std::move(found));
  }
  if (adaptive_) {
    CRATON_ASSIGN_OR_RETURN(Key found, adaptive_->find_key(ref));
    keys.adaptive_keys.push_back(std::move(found));
  }
  CRATON_ASSIGN_OR_RETURN(const Key material, software_->generate_key(*algorithm));
  CRATON_ASSIGN_OR_RETURN(keys.raw_token_key,
                          raw_->create_token_key(material, c.op, label + "-raw"));
  return {};
}

Result<void> BenchSession::destroy_resident_keys() {
  Result<void> outcome;
  if (!backend_) return outcome;
  for (const KeyRef& ref : resident_) {
    if (auto destroyed = backend_->destroy_key(ref); !destroyed && outcome) outcome = destroyed;
  }
  resident_.clear();
  return outcome;
}

Result<Measurement> BenchSession::time_subject(std::vector<Operation>& operations,
                                               std::size_t warmup,
                                               std::chrono::nanoseconds duration) {
  CallCounts before;
  CallCounts after;
  LoopOptions loop;
  loop.duration = duration;
  loop.warmup_ops = warmup;
  loop.on_start = [&] { before = raw_->call_counts(); };
  loop.on_stop = [&] { after = raw_->call_counts(); };
  CRATON_ASSIGN_OR_RETURN(const LoopResult timed, run_timed(operations, loop));
  Measurement m;
  m.ops_per_second = timed.ops_per_second;
  m.p50_us = timed.p50_us;
  m.p99_us = timed.p99_us;
  m.allocs_per_op = timed.allocs_per_op;
  m.cpu_us_per_op = timed.cpu_us_per_op;
  m.calls_per_op = static_cast<double>(after.total - before.total) / static_cast<double>(timed.ops);
  m.key_lookup_calls = (after.create_object - before.create_object) +
                       (after.find_objects_init - before.find_objects_init);
  m.ops = timed.ops;
  return m;
}

Result<CaseResult> BenchSession::measure(const BenchCase& c, unsigned threads) {
  if (!backend_) return fail(ErrorCode::InvalidArgument, "the bench session has finished");
  CRATON_ASSIGN_OR_RETURN(const CaseKeys* keys, keys_for(c));
  const RawInputs raw_inputs{c.op,          keys->raw_key ? &*keys->raw_key : nullptr,
                             keys->message, keys->signature,
                             c.is_miss(),   keys->raw_token_key.get()};
  const OperationInputs inputs{keys->message, keys->signature};
  const std::vector<Key>* ring = &keys->backend_keys;
  const std::vector<Key>* audited_ring =
      keys->audited_keys.empty() ? &keys->backend_keys : &keys->audited_keys;
  const std::vector<Key>* adaptive_ring =
      keys->adaptive_keys.empty() ? &keys->backend_keys : &keys->adaptive_keys;
  const auto backend_op = [&](CryptoBackend& backend, const std::vector<Key>* ring,
                              std::size_t start) -> Operation {
    // Each thread's operation owns its output buffer, allocated here, before any clock runs.
    return [&backend, op = c.op, ring, inputs, cursor = start,
            output = Bytes(output_capacity(c.op, inputs.message.size()))]() mutable {
      const Key* key = nullptr;
      if (!ring->empty()) {
        key = &(*ring)[cursor % ring->size()];
        cursor = (cursor + 1) % ring->size();
      }
      return run_backend_op(backend, op, key, inputs, output);
    };
  };

  std::vector<std::unique_ptr<RawWorker>> workers;
  std::vector<Operation> raw_ops;
  std::vector<Operation> backend_ops;
  std::vector<Operation> audited_ops;
  std::vector<Operation> adaptive_ops;
  std::vector<Operation> software_ops;
  // Durable budgets: aes256-gcm-1k with a key the cache holds (what the budget's cost is about).
  const bool budget_case = c.op == RawOp::AesGcmEncrypt && c.is_hit() && c.size == 1024;
  std::vector<std::vector<Operation>> budget_ops(budget_case ? budgeted_.size() : 0);
  const std::size_t stride = ring->empty() ? 0 : ring->size() / threads;
  for (unsigned t = 0; t < threads; ++t) {
    CRATON_ASSIGN_OR_RETURN(std::unique_ptr<RawWorker> worker, raw_->prepare(raw_inputs));
    raw_ops.emplace_back([w = worker.get()] { return w->run(); });
    workers.push_back(std::move(worker));
    backend_ops.push_back(backend_op(*backend_, ring, t * stride));
    if (audited_ && !c.is_miss()) {
      audited_ops.push_back(backend_op(*audited_, audited_ring, t * stride));
    }
    if (adaptive_) adaptive_ops.push_back(backend_op(*adaptive_, adaptive_ring, t * stride));
    for (std::size_t b = 0; b < budget_ops.size(); ++b) {
      budget_ops[b].push_back(backend_op(*budgeted_[b].second, ring, t * stride));
    }
    if (options_.with_software && c.is_hit()) {
      software_ops.push_back(backend_op(*software_, ring, t * stride));
    }
  }
  // A miss case warms up through its whole ring, so every key's fingerprint is memoised and
  // the timed loop sees imports only.
  const std::size_t backend_warmup = c.is_miss() ? ring->size() : kWarmupOps;
  if (!adaptive_ops.empty()) {
    // Untimed: the limit of this case's class settles for this many threads.
    if (auto settled = time_subject(adaptive_ops, backend_warmup, options_.adaptive_warmup);
        !settled) {
      return std::unexpected(std::move(settled).error());
    }
  }
  CaseResult result{c, threads, {}, {}, {}, {}, {}, 0, {}, {}};
  std::vector<std::uint64_t> reservations_before;
  for (std::size_t b = 0; b < budget_ops.size(); ++b) {
    reservations_before.push_back(budgeted_[b].second->stats().budget_reservations);
  }
  for (unsigned round = 0; round < options_.rounds; ++round) {
    CRATON_ASSIGN_OR_RETURN(const Measurement raw,
                            time_subject(raw_ops, kWarmupOps, options_.duration));
    keep_best(result.raw, raw);
    CRATON_ASSIGN_OR_RETURN(const Measurement backend,
                            time_subject(backend_ops, backend_warmup, options_.duration));
    keep_best(result.backend, backend);
    if (!audited_ops.empty()) {
      CRATON_ASSIGN_OR_RETURN(const Measurement audited,
                              time_subject(audited_ops, kWarmupOps, options_.duration));
      keep_best(result.backend_audited, audited);
      audited_operations_ += audited.ops + kWarmupOps * threads;
    }
    if (!adaptive_ops.empty()) {
      CRATON_ASSIGN_OR_RETURN(const Measurement adaptive,
                              time_subject(adaptive_ops, kWarmupOps, options_.duration));
      keep_best(result.backend_adaptive, adaptive);
    }
    if (!software_ops.empty()) {
      CRATON_ASSIGN_OR_RETURN(const Measurement software,
                              time_subject(software_ops, kWarmupOps, options_.duration));
      keep_best(result.software, software);
    }
    for (std::size_t b = 0; b < budget_ops.size(); ++b) {
      CRATON_ASSIGN_OR_RETURN(const Measurement budgeted,
                              time_subject(budget_ops[b], kWarmupOps, options_.duration));
      std::optional<Measurement> best;
      if (const auto found = result.backend_budget.find(budgeted_[b].first);
          found != result.backend_budget.end()) {
        best = found->second;
      }
      keep_best(best, budgeted);
      result.backend_budget[budgeted_[b].first] = *best;
    }
  }
  for (std::size_t b = 0; b < budget_ops.size(); ++b) {
    result.budget_reservations[budgeted_[b].first] =
        budgeted_[b].second->stats().budget_reservations - reservations_before[b];
  }
  if (adaptive_) result.adaptive_limit = settled_limit(*adaptive_, c.op);
  return result;
}

Result<BenchReport> BenchSession::finish(std::vector<CaseResult> results) {
  BenchReport report;
  report.token = token_name_;
  report.software = software_ ? std::string(software_->name()) : std::string();
  report.machine = describe_machine();
  report.pool_size = pool_size_;
  report.rounds = options_.rounds;
  report.duration_seconds = std::chrono::duration<double>(options_.duration).count();
  report.results = std::move(results);
  report.skipped = skipped_;
  report.objects_before = objects_before_;
  report.concurrency = backend_->stats().concurrency;
  // The audited backend first (it writes its last records and stops its writer), then the
  // resident keys; closing the backend's sessions destroys its imported session objects, and
  // clearing the keys the raw side's token objects.
  audited_.reset();
  budgeted_.clear();
  budget_scratch_.reset();
  adaptive_.reset();
  const Result<void> destroyed = destroy_resident_keys();
  backend_.reset();
  software_.reset();
  keys_.clear();
  CRATON_RETURN_IF_ERROR(destroyed);
  CRATON_ASSIGN_OR_RETURN(report.objects_after, raw_->count_objects());
  if (audit_trail_) {
    CRATON_ASSIGN_OR_RETURN(report.audit_trail, close_audit_trail());
  }
  return report;
}

Result<AuditTrailSummary> BenchSession::close_audit_trail() {
  AuditTrailSummary summary;
  summary.durability = durability_name(audit_trail_->config().durability);
  summary.operations = audited_operations_;
  CRATON_ASSIGN_OR_RETURN(const AuditVerifyReport verified, audit_trail_->verify());
  summary.records = verified.records;
  summary.intact = verified.intact;
  summary.problem = verified.problem;
  audit_trail_.reset();
  return summary;
}

}  // namespace craton::hsm::bench
