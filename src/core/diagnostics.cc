// SPDX-License-Identifier: Apache-2.0
// The process-wide sink for cleanup failures.
#include <craton/hsm/diagnostics.h>

#include <cstdio>
#include <mutex>

namespace craton::hsm {
namespace {

std::mutex& handler_mutex() {
  static std::mutex mutex;
  return mutex;
}

DiagnosticHandler& handler() {
  static DiagnosticHandler current;
  return current;
}

}  // namespace

void set_diagnostic_handler(DiagnosticHandler replacement) {
  const std::lock_guard lock(handler_mutex());
  handler() = std::move(replacement);
}

void report_diagnostic(const HsmError& error) noexcept {
  try {
    const std::lock_guard lock(handler_mutex());
    if (handler()) {
      handler()(error);
    } else {
      fmt::print(stderr, "craton-hsm: cleanup failed: {}\n", error);
    }
  } catch (...) {
    // A throwing handler must not turn a destructor into std::terminate; the failure itself
    // was already reported as far as it could be.
    std::fputs("craton-hsm: diagnostic handler threw\n", stderr);
  }
}

}  // namespace craton::hsm
