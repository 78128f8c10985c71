// SPDX-License-Identifier: Apache-2.0
// The allocation-counting interface: a binary that links malloc_hook.cc counts every malloc,
// calloc and realloc (operator new included) per thread; the timing loop reads the counts.
#pragma once

#include <cstdint>

namespace craton::hsm::bench {

// Called by the replaced allocator on every allocation of the calling thread. Async-signal and
// allocation free.
void count_allocation() noexcept;
// Allocations made by the calling thread so far.
[[nodiscard]] std::uint64_t thread_allocations() noexcept;
// Whether the binary replaced the allocator (without the hook nothing is ever counted and the
// reports say "n/a" rather than 0).
[[nodiscard]] bool allocation_counting_active() noexcept;

}  // namespace craton::hsm::bench
