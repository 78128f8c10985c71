// SPDX-License-Identifier: Apache-2.0
// The process exit codes of craton-hsm, and which HsmErrors count as usage errors.
#pragma once

#include <craton/hsm/error.h>

namespace craton::hsm::cli {

// Scripts branch on these, so their meanings never change: 2 means "fix the invocation or the
// configuration", 1 means "the module or token refused", 3 means "the audit trail could not
// take a record, so no result was released" (fail-closed), anything else is not ours.
enum class ExitCode : int {
  Ok = 0,
  OperationFailed = 1,
  UsageError = 2,
  AuditUnavailable = 3,
};

// An unprotected library path is a deployment decision (fix the permissions or opt in through
// the config), not something the token did, so it sits with the configuration errors.
// InvalidArgument is refused before any token call (a malformed URI, an unknown scheme, a
// --size that does not fit, binary output to a terminal): the invocation needs fixing.
// AuditUnavailable has its own code: the trail (disk full, I/O error, file size limit, the
// trail moved away) refused a record, and the command released nothing.
[[nodiscard]] constexpr ExitCode exit_code_for(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::ConfigInvalid:
    case ErrorCode::LibraryPathUnprotected:
    case ErrorCode::InvalidArgument:
    case ErrorCode::LoginRequired:  // no PIN was given: the invocation needs one
      return ExitCode::UsageError;
    case ErrorCode::AuditUnavailable:
      return ExitCode::AuditUnavailable;
    default:
      return ExitCode::OperationFailed;
  }
}

[[nodiscard]] constexpr int to_int(ExitCode code) noexcept {
  return static_cast<int>(code);
}

}  // namespace craton::hsm::cli
