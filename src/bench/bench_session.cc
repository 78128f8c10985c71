// SPDX-License-Identifier: Apache-2.0
// The engine: key set-up per case, one operation per thread for each subject, interleaved
// best-of-N rounds, and the teardown that proves nothing was left on the token.
#include "bench/bench_session.h"

#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/software_backend.h>

#include <fmt/format.h>

#include "bench/backend_ops.h"
#include "bench/timing_loop.h"

namespace craton::hsm::bench {
namespace {

using pkcs11::raw::CallCounts;
using pkcs11::raw::RawInputs;
using pkcs11::raw::RawWorker;

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

Bytes pattern(std::size_t size) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 131 + 7);
  return bytes;
}

void keep_best(std::optional<Measurement>& best, const Measurement& candidate) {
  if (!best || candidate.ops_per_second > best->ops_per_second) best = candidate;
}

}  // namespace

// The keys and inputs of one case: one key for a hit case, more than the cache holds for a
// miss case (each thread walks them in a ring from its own starting point).
struct BenchSession::CaseKeys {
  std::vector<Key> backend_keys;
  std::optional<Key> raw_key;
  Bytes message;
  Bytes signature;
};

BenchSession::BenchSession(BenchOptions options) : options_(std::move(options)) {}

BenchSession::~BenchSession() = default;

Result<std::unique_ptr<BenchSession>> BenchSession::open(Pkcs11PassthroughConfig config,
                                                         BenchOptions options) {
  if (options.threads.empty()) options.threads = default_threads();
  if (options.rounds == 0) options.rounds = 1;
  std::unique_ptr<BenchSession> session(new BenchSession(std::move(options)));
  session->pool_size_ = config.pool_size;
  session->cache_capacity_ = config.cache_capacity;
  // The raw side opens first: its anchor session holds the login and counts the objects.
  CRATON_ASSIGN_OR_RETURN(session->raw_, pkcs11::raw::RawToken::open(config));
  CRATON_ASSIGN_OR_RETURN(session->objects_before_, session->raw_->count_objects());
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11Backend> backend,
                          make_pkcs11_backend(std::move(config)));
  session->token_name_ = backend->name();
  session->backend_ = std::move(backend);
  session->software_ = make_software_backend();
  const BenchOptions& o = session->options_;
  for (BenchCase& c : select_cases(all_cases(o.gcm_sizes, o.with_misses), o.case_filters)) {
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
  const std::size_t count = c.is_hit() ? 1 : std::size_t{cache_capacity_} + 1;
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

Result<Measurement> BenchSession::time_subject(std::vector<Operation>& operations,
                                               std::size_t warmup) {
  CallCounts before;
  CallCounts after;
  LoopOptions loop;
  loop.duration = options_.duration;
  loop.warmup_ops = warmup;
  loop.on_start = [&] { before = raw_->call_counts(); };
  loop.on_stop = [&] { after = raw_->call_counts(); };
  CRATON_ASSIGN_OR_RETURN(const LoopResult timed, run_timed(operations, loop));
  Measurement m;
  m.ops_per_second = timed.ops_per_second;
  m.p50_us = timed.p50_us;
  m.p99_us = timed.p99_us;
  m.allocs_per_op = timed.allocs_per_op;
  m.calls_per_op = static_cast<double>(after.total - before.total) / static_cast<double>(timed.ops);
  m.key_lookup_calls = (after.create_object - before.create_object) +
                       (after.find_objects_init - before.find_objects_init);
  m.ops = timed.ops;
  return m;
}

Result<CaseResult> BenchSession::measure(const BenchCase& c, unsigned threads) {
  if (!backend_) return fail(ErrorCode::InvalidArgument, "the bench session has finished");
  CRATON_ASSIGN_OR_RETURN(const CaseKeys* keys, keys_for(c));
  const RawInputs raw_inputs{c.op, keys->raw_key ? &*keys->raw_key : nullptr, keys->message,
                             keys->signature, !c.is_hit()};
  const OperationInputs inputs{keys->message, keys->signature};
  const std::vector<Key>* ring = &keys->backend_keys;
  const auto backend_op = [&](CryptoBackend& backend, std::size_t start) -> Operation {
    return [&backend, op = c.op, ring, inputs, cursor = start]() mutable {
      const Key* key = nullptr;
      if (!ring->empty()) {
        key = &(*ring)[cursor % ring->size()];
        cursor = (cursor + 1) % ring->size();
      }
      return run_backend_op(backend, op, key, inputs);
    };
  };

  std::vector<std::unique_ptr<RawWorker>> workers;
  std::vector<Operation> raw_ops;
  std::vector<Operation> backend_ops;
  std::vector<Operation> software_ops;
  const std::size_t stride = ring->empty() ? 0 : ring->size() / threads;
  for (unsigned t = 0; t < threads; ++t) {
    CRATON_ASSIGN_OR_RETURN(std::unique_ptr<RawWorker> worker, raw_->prepare(raw_inputs));
    raw_ops.emplace_back([w = worker.get()] { return w->run(); });
    workers.push_back(std::move(worker));
    backend_ops.push_back(backend_op(*backend_, t * stride));
    if (options_.with_software && c.is_hit()) {
      software_ops.push_back(backend_op(*software_, t * stride));
    }
  }
  // A miss case warms up through its whole ring, so every key's fingerprint is memoised and
  // the timed loop sees imports only.
  const std::size_t backend_warmup = c.is_hit() ? kWarmupOps : ring->size();
  CaseResult result{c, threads, {}, {}, {}, {}};
  for (unsigned round = 0; round < options_.rounds; ++round) {
    CRATON_ASSIGN_OR_RETURN(const Measurement raw, time_subject(raw_ops, kWarmupOps));
    keep_best(result.raw, raw);
    CRATON_ASSIGN_OR_RETURN(const Measurement backend, time_subject(backend_ops, backend_warmup));
    keep_best(result.backend, backend);
    if (!software_ops.empty()) {
      CRATON_ASSIGN_OR_RETURN(const Measurement software, time_subject(software_ops, kWarmupOps));
      keep_best(result.software, software);
    }
    // HOOK(audit): time the audited backend here (a second backend opened with
    // Pkcs11PassthroughConfig::audit set) into result.backend_audited.
  }
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
  // Closing the backend's sessions destroys its imported session objects.
  backend_.reset();
  software_.reset();
  keys_.clear();
  CRATON_ASSIGN_OR_RETURN(report.objects_after, raw_->count_objects());
  return report;
}

}  // namespace craton::hsm::bench
