// SPDX-License-Identifier: Apache-2.0
// The process-wide sink for failures no caller can be told about.
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
      // Not only cleanups come here (start-up probes, an audit trail that stopped): the line
      // names the failure, not a cause it may not have.
      fmt::print(stderr, "craton-hsm: diagnostic: {}\n", error);
    }
  } catch (...) {
    // A throwing handler must not turn a destructor into std::terminate; the failure itself
    // was already reported as far as it could be.
    std::fputs("craton-hsm: diagnostic handler threw\n", stderr);
  }
}

}  // namespace craton::hsm
