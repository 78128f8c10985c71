// SPDX-License-Identifier: Apache-2.0
// BenchSession: the measurement engine shared by the bench/ suite and `craton-hsm bench`. It
// opens the configured token three ways (raw baseline, Pkcs11PassthroughBackend, and the
// software backend for reference) and measures each case on each of them, interleaved.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/config.h>
#include <craton/hsm/error.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/cases.h"
#include "bench/report.h"
#include "bench/timing_loop.h"
#include "pkcs11/raw/raw_token.h"

namespace craton::hsm::bench {

struct BenchOptions {
  std::vector<std::string> case_filters;    // name prefixes; empty: every case
  std::vector<unsigned> threads;            // empty: 1, 2 and 2 x cores
  std::chrono::milliseconds duration{500};  // per subject per round
  unsigned rounds = 3;                      // best of
  std::vector<std::size_t> gcm_sizes{64, 1024, 64 * 1024, 1024 * 1024};
  bool with_misses = true;
  bool with_software = true;
};

// The default thread counts: 1, 2 and twice the hardware threads, without duplicates.
[[nodiscard]] std::vector<unsigned> default_threads();
// "Intel(R) Xeon(R) ... (2 hardware threads), Linux 6.1.0"
[[nodiscard]] std::string describe_machine();

// Creates only session objects (keys are generated in software and imported) and destroys
// every one of them; finish() counts the token's objects to prove it. Not thread-safe: one
// thread drives it, the engine starts its own worker threads.
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

  // Raw, backend and software `rounds` times each, interleaved; the best round of each.
  // Errors: the first failing operation.
  [[nodiscard]] Result<CaseResult> measure(const BenchCase& bench_case, unsigned threads);

  // Destroys the backends and every key object, counts the token's objects again and returns
  // the report of `results`. The session cannot measure afterwards.
  [[nodiscard]] Result<BenchReport> finish(std::vector<CaseResult> results);

 private:
  struct CaseKeys;
  explicit BenchSession(BenchOptions options);
  Result<const CaseKeys*> keys_for(const BenchCase& bench_case);
  Result<Measurement> time_subject(std::vector<Operation>& operations, std::size_t warmup);

  BenchOptions options_;
  std::uint32_t pool_size_ = 0;
  std::uint32_t cache_capacity_ = 0;
  std::unique_ptr<pkcs11::raw::RawToken> raw_;
  std::unique_ptr<CryptoBackend> backend_;
  std::unique_ptr<CryptoBackend> software_;
  std::string token_name_;
  std::uint64_t objects_before_ = 0;
  std::vector<BenchCase> cases_;
  std::vector<SkippedCase> skipped_;
  std::map<std::string, std::unique_ptr<CaseKeys>> keys_;  // by op and variant
};

}  // namespace craton::hsm::bench
