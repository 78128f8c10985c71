// SPDX-License-Identifier: Apache-2.0
// Control of the write-failure injector (tests/support/write_fault): which file, which calls,
// after how many successes, and with which errno. Test-only.
#pragma once

#include <cstdint>

// Kinds of calls the injector can fail (a mask).
inline constexpr unsigned kWriteFaultWrite = 1;     // write, pwrite, pwrite64, writev
inline constexpr unsigned kWriteFaultSync = 2;      // fsync, fdatasync
inline constexpr unsigned kWriteFaultTruncate = 4;  // ftruncate, ftruncate64
// Not an errno: lower RLIMIT_FSIZE to the file's size before the failing write, so that the
// kernel itself raises SIGXFSZ and fails the write with EFBIG.
inline constexpr int kWriteFaultSigxfsz = -1;

extern "C" {

// Arms the injector for the file at `path` (matched through /proc/self/fd, so a file opened
// under that name; renamed files no longer match). The first `after` calls of the kinds in
// `calls` succeed, every later one fails with `error` until disarmed. `partial`: the first
// failing write first writes half of its bytes and reports that short count (a torn write).
// The same settings come from the environment when the library is preloaded:
// CRATON_WRITE_FAULT_PATH, CRATON_WRITE_FAULT_ERRNO (ENOSPC, EIO, EFBIG or SIGXFSZ),
// CRATON_WRITE_FAULT_AFTER (default 0), CRATON_WRITE_FAULT_CALLS ("write", "sync",
// "truncate", comma-separated; default "write"), CRATON_WRITE_FAULT_PARTIAL (1 = on),
// CRATON_WRITE_FAULT_CONTAINING (see craton_write_fault_only_containing).
__attribute__((visibility("default"))) void craton_write_fault_arm(const char* path, int error,
                                                                   unsigned long after,
                                                                   unsigned calls, int partial);
// After arm: only writes whose bytes contain `text` count (a record by its content, e.g.
// "\"op\":\"sign\"", whatever the batching) until the first failure; from then on every call
// of the armed kinds fails, as on a disk that stays full.
__attribute__((visibility("default"))) void craton_write_fault_only_containing(const char* text);
__attribute__((visibility("default"))) void craton_write_fault_disarm();
// Calls failed (or torn) since the last arm.
__attribute__((visibility("default"))) unsigned long craton_write_fault_failures();
}
