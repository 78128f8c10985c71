// SPDX-License-Identifier: Apache-2.0
// Where failures that have no caller to return to go: a session that would not close in a
// destructor, a C_Finalize that failed, a start-up probe that could not clean up or decide.
// Never silent, never carrying secrets.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/export.h>

#include <functional>

namespace craton::hsm {

using DiagnosticHandler = std::function<void(const HsmError&)>;

// Replaces the process-wide handler (default: one line on stderr, "craton-hsm: diagnostic:
// ERROR"). Thread-safe. Passing an
// empty function restores the default.
CRATON_HSM_API void set_diagnostic_handler(DiagnosticHandler handler);

// Reports a failure no caller can be told about. Thread-safe; never throws.
CRATON_HSM_API void report_diagnostic(const HsmError& error) noexcept;

}  // namespace craton::hsm
