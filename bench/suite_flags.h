// SPDX-License-Identifier: Apache-2.0
// The suite's own command-line flags, taken out of argv before Google Benchmark parses the rest.
#pragma once

#include <craton/hsm/error.h>

#include <optional>
#include <string>

#include "bench/bench_session.h"

namespace craton::hsm::bench {

struct SuiteFlags {
  bool check = false;                    // --check: exit 1 when a target FAILs
  std::optional<std::string> json_path;  // --json=FILE: the report as JSON
  // --cases=a,b --threads=1,2 --duration-ms=N --rounds=N --no-software --no-miss
  // --sizes=64,1024; --no-audit (default: audited backend, per-batch trail;
  // --audit-durability=per_record|per_batch|none) --no-resident
  // (default: resident-key cases on token objects) --adaptive (also a backend with
  // concurrency = "adaptive", and the concurrency targets) --no-budget (default:
  // aes256-gcm-1k also with its budget in a throwaway SQLite store)
  // --budget-postgres=CONNINFO (or $CRATON_BENCH_POSTGRES: also in that PostgreSQL database)
  BenchOptions options;
};

// Removes the flags above from argv (adjusting argc) and returns them. Errors: InvalidArgument
// for a malformed value.
[[nodiscard]] Result<SuiteFlags> take_suite_flags(int& argc, char** argv);

inline constexpr const char* kSuiteUsage =
    "craton_bench_suite [--check] [--json=FILE] [--cases=PREFIX,...] [--threads=N,...]\n"
    "                   [--duration-ms=N] [--rounds=N] [--sizes=BYTES,...] [--no-software]\n"
    "                   [--no-miss] [--no-audit] [--audit-durability=per_batch|per_record|none]\n"
    "                   [--no-resident] [--adaptive] [--no-budget]\n"
    "                   [--budget-postgres=CONNINFO] [Google Benchmark flags]\n"
    "Needs CRATON_HSM_CONFIG (and the PIN in CRATON_HSM_PIN); scripts/bench.sh provisions a\n"
    "throwaway SoftHSM2 token, builds the release preset and runs this.\n";

}  // namespace craton::hsm::bench
