// SPDX-License-Identifier: Apache-2.0
// BenchSession: the measurement engine shared by the bench/ suite and `craton-hsm bench`. It
// opens the configured token three ways (raw baseline, Pkcs11PassthroughBackend, and the
// software backend for reference) and measures each case on each of them, interleaved.
#pragma once

#include <craton/hsm/audit.h>
#include <craton/hsm/backend.h>
#include <craton/hsm/config.h>
#include <craton/hsm/error.h>
#include <craton/hsm/pkcs11_backend.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/cases.h"
#include "bench/raw/raw_token.h"
#include "bench/report.h"
#include "bench/scratch_audit.h"
#include "bench/scratch_budget.h"
#include "bench/timing_loop.h"

namespace craton::hsm::bench {

struct BenchOptions {
  std::vector<std::string> case_filters;  // name prefixes; empty: every case
  std::vector<unsigned> threads;          // empty: 1, 2 and 2 x cores
  // Many short rounds rather than a few long ones: on a shared VM a slow spell lasts seconds,
  // and the best of 10 x 0.2 s repeats within a few percent where the best of 3 x 0.5 s did not.
  std::chrono::milliseconds duration{200};  // per subject per round
  unsigned rounds = 10;                     // best of
  std::vector<std::size_t> gcm_sizes{64, 1024, std::size_t{64} * 1024, std::size_t{1024} * 1024};
  bool with_misses = true;
  bool with_software = true;
  // Set: also measure the backend with an audit trail of this durability, written to a
  // throwaway trail (ScratchAuditTrail), for every case but the miss cases.
  std::optional<AuditDurability> audit;
  // The resident-key cases: token objects (generated, then destroyed). Off for the CLI, which
  // creates session objects only.
  bool with_resident = false;
  // Also measure a backend with concurrency = "adaptive" for every class (the measured backend
  // keeps its configuration's setting), each case first warmed up for `adaptive_warmup` so its
  // limit has settled. Both backends then get at least as many sessions as the most threads.
  bool adaptive = false;
  std::chrono::milliseconds adaptive_warmup{1500};
  // Also measure aes256-gcm-1k (hit) with its budget in a durable store (docs/budgets.md): a
  // throwaway SQLite file (ScratchBudget), and a PostgreSQL server when a libpq connection
  // string is given. The measured backend, with the in-memory budget, is the baseline.
  bool budget_sqlite = false;
  std::optional<std::string> budget_postgres;
};

// The default thread counts: 1, 2 and twice the hardware threads, without duplicates.
[[nodiscard]] std::vector<unsigned> default_threads();
// "Intel(R) Xeon(R) ... (2 hardware threads), Linux 6.1.0"
[[nodiscard]] std::string describe_machine();

// Creates session objects (keys generated in software and imported) and, only with
// with_resident, token objects under labels unique to the run; destroys every one of them and
// finish() counts the token's objects to prove it. The config's own [audit] table is ignored
// (see BenchOptions::audit). Not thread-safe: one thread drives it, the engine starts its own
// worker threads.
class BenchSession {
 public:
  // Errors: those of opening the token (raw and backend), and of generating keys.
  static Result<std::unique_ptr<BenchSession>> open(Pkcs11PassthroughConfig config,
                                                    BenchOptions options);
  BenchSession(const BenchSession&) = delete;
  BenchSession& operator=(const BenchSession&) = delete;
  ~BenchSession();

  // The selected cases the token supports, and those it does not (with the reason).
  [[nodiscard]] const std::vector<BenchCase>& cases() const noexcept { return cases_; }
  [[nodiscard]] const std::vector<SkippedCase>& skipped() const noexcept { return skipped_; }
  [[nodiscard]] const BenchOptions& options() const noexcept { return options_; }

  // Raw, backend, audited backend and software `rounds` times each, interleaved; the best
  // round of each.
  // Errors: the first failing operation.
  [[nodiscard]] Result<CaseResult> measure(const BenchCase& bench_case, unsigned threads);

  // Destroys the backends and every key object, counts the token's objects again, verifies the
  // audit trail and returns the report of `results`. The session cannot measure afterwards.
  // Errors: destroying a resident key, counting, reading the trail.
  [[nodiscard]] Result<BenchReport> finish(std::vector<CaseResult> results);

 private:
  struct CaseKeys;
  explicit BenchSession(BenchOptions options);
  Result<const CaseKeys*> keys_for(const BenchCase& bench_case);
  Result<void> make_resident_keys(const BenchCase& bench_case, CaseKeys& keys);
  Result<void> destroy_resident_keys();
  Result<Measurement> time_subject(std::vector<Operation>& operations, std::size_t warmup,
                                   std::chrono::nanoseconds duration);
  Result<AuditTrailSummary> close_audit_trail();

  BenchOptions options_;
  std::uint32_t pool_size_ = 0;
  std::uint32_t cache_capacity_ = 0;
  std::unique_ptr<raw::RawToken> raw_;
  std::unique_ptr<Pkcs11Backend> backend_;
  std::unique_ptr<ScratchAuditTrail> audit_trail_;  // before audited_: outlives its writer
  std::unique_ptr<Pkcs11Backend> audited_;
  std::unique_ptr<Pkcs11Backend> adaptive_;  // BenchOptions::adaptive
  // BenchOptions::budget_*: the backend of each durable store, by store name.
  std::unique_ptr<ScratchBudget> budget_scratch_;
  std::vector<std::pair<std::string, std::unique_ptr<Pkcs11Backend>>> budgeted_;
  std::uint64_t audited_operations_ = 0;
  std::unique_ptr<CryptoBackend> software_;
  std::string token_name_;
  std::uint64_t objects_before_ = 0;
  std::vector<BenchCase> cases_;
  std::vector<SkippedCase> skipped_;
  std::map<std::string, std::unique_ptr<CaseKeys>> keys_;  // by op and variant
  std::vector<KeyRef> resident_;                           // generated through backend_
};

}  // namespace craton::hsm::bench
