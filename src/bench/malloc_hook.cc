// SPDX-License-Identifier: Apache-2.0
// Replaces malloc, calloc and realloc in the linking executable (operator new, OpenSSL and the
// PKCS#11 module all allocate through them) to count allocations per thread, forwarding to
// glibc's own allocator, so free() and every other allocator entry stay glibc's and match.
// Link only into benchmark executables, never under sanitizers (they replace malloc too).
#include <cstddef>

#include "bench/alloc_counter.h"

extern "C" {

// NOLINTBEGIN(readability-identifier-naming): glibc's names for its own allocator
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
// NOLINTEND(readability-identifier-naming)

void* malloc(std::size_t size) {
  craton::hsm::bench::count_allocation();
  return __libc_malloc(size);
}

void* calloc(std::size_t count, std::size_t size) {
  craton::hsm::bench::count_allocation();
  return __libc_calloc(count, size);
}

void* realloc(void* pointer, std::size_t size) {
  craton::hsm::bench::count_allocation();
  return __libc_realloc(pointer, size);
}

}  // extern "C"
