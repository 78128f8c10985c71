// SPDX-License-Identifier: Apache-2.0
// The process exit codes of craton-hsm: one table for every command, and the help text
// that states it.
#pragma once

#include <craton/hsm/error.h>

namespace CLI {
class App;
}  // namespace CLI

namespace craton::hsm::cli {

// Scripts branch on these, so their meanings never change:
//   0  success; for a check (verify, audit verify): the data is valid
//   1  the data failed its check: a signature that does not verify, a GCM tag or padding that
//      does not authenticate, a wrapped key that does not unwrap, an audit trail that does
//      not verify. The command worked; the answer is "no".
//   2  fix the command line or the configuration (nothing was asked of the token, or the
//      configuration names a module or token that is not there)
//   3  the token, the module or the host failed the operation, or could not make the check
//      (key not found, wrong key type, wrong PIN, device error, a failed write)
//   4  the audit trail could not take a record, so no result was released (fail-closed)
enum class ExitCode : int {
  Ok = 0,
  Invalid = 1,
  UsageError = 2,
  OperationFailed = 3,
  AuditUnavailable = 4,
};

// The error codes that are a verdict on the data rather than a failure to reach one. A check
// that cannot be decided is never among them: the library reports Valid/Invalid as a value and
// only failures to decide as errors, so these arise only where a command turns "invalid" into
// its exit status, or where decryption and unwrapping authenticate their input.
//
// Usage: InvalidArgument is refused before any token call (a malformed URI, an unknown scheme,
// a --size that does not fit, binary output to a terminal). An unprotected library path is a
// deployment decision. A library that does not load or is not PKCS#11, and a selector that
// names no token, are the configuration naming something that is not there. LoginRequired and
// NotLoggedIn reach the command line only when no PIN was given (the pool logs in again by
// itself after a token forgot the login), so the invocation needs fixing.
[[nodiscard]] constexpr ExitCode exit_code_for(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::AuthenticationFailed:
    case ErrorCode::EncryptedDataInvalid:
    case ErrorCode::WrappedKeyInvalid:
      return ExitCode::Invalid;
    case ErrorCode::ConfigInvalid:
    case ErrorCode::LibraryPathUnprotected:
    case ErrorCode::LibraryLoad:
    case ErrorCode::NotAPkcs11Module:
    case ErrorCode::TokenNotFound:
    case ErrorCode::InvalidArgument:
    case ErrorCode::NotLoggedIn:
    case ErrorCode::LoginRequired:
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

// The table above for --help: the same text at the end of every command's help.
inline constexpr const char* kExitCodeHelp = R"(
Exit codes (every command):
  0  success; a check (verify, audit verify) found the data valid
  1  the data failed its check: invalid signature, GCM tag or padding, wrapped key, audit trail
  2  usage or configuration error (fix the command line or the configuration)
  3  the token, module or host failed, or a check could not be made (key not found, wrong
     key type, wrong PIN, device error)
  4  the audit trail could not record the operation (nothing was written or printed))";

// Appends kExitCodeHelp to the footer of `app` and of every subcommand under it, so each
// command's --help states the table. Call it once every command is registered.
void add_exit_code_help(CLI::App& app);

}  // namespace craton::hsm::cli
