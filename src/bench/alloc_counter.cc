// SPDX-License-Identifier: Apache-2.0
// Per-thread allocation counters, in static TLS so the allocator itself can use them.
#include "bench/alloc_counter.h"

#include <atomic>

namespace craton::hsm::bench {
namespace {

// initial-exec: no __tls_get_addr (which may allocate) on the allocation path.
__attribute__((tls_model("initial-exec"))) thread_local std::uint64_t allocations = 0;
std::atomic<bool> active{false};

}  // namespace

void count_allocation() noexcept {
  if (allocations++ == 0) active.store(true, std::memory_order_relaxed);
}

std::uint64_t thread_allocations() noexcept {
  return allocations;
}

bool allocation_counting_active() noexcept {
  return active.load(std::memory_order_relaxed);
}

}  // namespace craton::hsm::bench
