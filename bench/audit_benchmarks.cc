// SPDX-License-Identifier: Apache-2.0
// What recording costs the caller: record() alone (1 and 2 threads), and a ~15 us operation
// with and without an audit record (the target is audit-on >= 0.95x audit-off throughput).
#include <craton/hsm/audit.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <sys/stat.h>

#include <benchmark/benchmark.h>

namespace craton::hsm {
namespace {

// Flushing every this many records keeps the queue (kQueue) from filling: the writer formats,
// MACs and fsyncs far slower than record() queues, and the loop is to measure record()
// itself rather than back-pressure. The flush runs with the timer paused; a fixed iteration
// count bounds the number of (slow, untimed) flushes.
constexpr std::int64_t kFlushEvery = 8192;
constexpr std::size_t kQueue = 2 * kFlushEvery;
constexpr std::int64_t kIterations = 400'000;

// One trail per durability for the whole run, in a fresh temp directory with a fixed key.
std::unique_ptr<AuditLog> open_log(AuditDurability durability) {
  {
    std::string dir = (std::filesystem::temp_directory_path() / "craton-audit-bench-XXXXXX");
    if (::mkdtemp(dir.data()) == nullptr) std::abort();
    const auto key = std::filesystem::path(dir) / "key";
    {
      std::ofstream out(key, std::ios::binary);
      out << std::string(32, 'k');
    }
    ::chmod(key.c_str(), 0600);
    AuditConfig config;
    config.file = std::filesystem::path(dir) / "audit.jsonl";
    config.queue_capacity = kQueue;
    config.durability = durability;
    auto mac = make_key_file_audit_mac(key);
    if (!mac) std::abort();
    auto opened = AuditLog::open(config, std::move(mac).value(), AuditOrigin{"bench", "t", "s", 0});
    if (!opened) std::abort();
    return std::move(opened).value();
  }
}

AuditLog& shared_log(AuditDurability durability = AuditDurability::PerBatch) {
  static const std::unique_ptr<AuditLog> per_batch = open_log(AuditDurability::PerBatch);
  static const std::unique_ptr<AuditLog> none = open_log(AuditDurability::None);
  return durability == AuditDurability::None ? *none : *per_batch;
}

AuditEvent sign_event() {
  AuditEvent event;
  event.operation = AuditOperation::Sign;
  event.mechanism = "CKM_ECDSA";
  event.input_bytes = 32;
  event.output_bytes = 64;
  event.duration = std::chrono::microseconds(15);
  return event;
}

void BM_AuditRecord(benchmark::State& state) {
  AuditLog& log = shared_log();
  std::int64_t n = 0;
  for (auto _ : state) {
    if (!log.record(sign_event())) state.SkipWithError("record failed");
    if (++n % kFlushEvery == 0) {
      state.PauseTiming();
      if (!log.flush()) state.SkipWithError("flush failed");
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuditRecord)->Iterations(kIterations)->Threads(1)->Threads(2)->UseRealTime();

// The writer's side: queue kFlushEvery records and wait until they are formatted, MAC'd,
// written, synced and anchored. Time per item = what the writer thread spends per record
// (its CPU competes with the operations on a small machine).
void BM_AuditWriterThroughput(benchmark::State& state) {
  AuditLog& log = shared_log();
  for (auto _ : state) {
    for (std::int64_t i = 0; i < kFlushEvery; ++i) {
      if (!log.record(sign_event())) state.SkipWithError("record failed");
    }
    if (!log.flush()) state.SkipWithError("flush failed");
  }
  state.SetItemsProcessed(state.iterations() * kFlushEvery);
}
BENCHMARK(BM_AuditWriterThroughput)->UseRealTime();

// Stands in for a token operation: ~15 us of busy work on the calling thread.
void spin_15us() {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(15);
  while (std::chrono::steady_clock::now() < until) {
  }
}

void BM_Operation15usAuditOff(benchmark::State& state) {
  for (auto _ : state) spin_15us();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Operation15usAuditOff)->UseRealTime();

// Here the writer keeps up on its own (one record per 15 us), so nothing is paused.
// Argument: 0 = durability per_batch (default), 1 = durability none.
void BM_Operation15usAuditOn(benchmark::State& state) {
  AuditLog& log =
      shared_log(state.range(0) == 1 ? AuditDurability::None : AuditDurability::PerBatch);
  for (auto _ : state) {
    spin_15us();
    if (!log.record(sign_event())) state.SkipWithError("record failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Operation15usAuditOn)->Arg(0)->Arg(1)->UseRealTime();

}  // namespace
}  // namespace craton::hsm
