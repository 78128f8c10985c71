// SPDX-License-Identifier: Apache-2.0
// `craton-hsm wrap` and `unwrap`: key bytes under a key-encryption key on the token
// (RFC 3394 AES-KW, RFC 5649 AES-KWP).
#include <optional>
#include <string>

#include "cli/io.h"
#include "cli/operator_commands.h"
#include "cli/scheme_names.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kWrapFooter = R"(
Wraps the key bytes in --in FILE (or standard input) under the AES key-encryption key on the
token: kw (RFC 3394: a multiple of 8 bytes, at least 16) or kwp (RFC 5649: at least 1 byte);
other lengths are refused before the token is asked (exit 2). Both are bounded by the
configuration's max_message_bytes (64 MiB by default), and a token may refuse less. The KEK
needs the wrap usage (keygen --usage wrap,unwrap).

Example:
  craton-hsm wrap --kek 'pkcs11:object=backup-kek' --scheme kw --in data.key --out data.key.wrapped)";

constexpr const char* kUnwrapFooter = R"(
Unwraps what wrap wrote into --out FILE (created with mode 0600): unwrapped key bytes never
go to standard output. A modified or foreign wrapped key fails with WrappedKeyInvalid.

Example:
  craton-hsm unwrap --kek 'pkcs11:object=backup-kek' --scheme kw --in data.key.wrapped --out data.key)";

// The scheme as --help spells it, whatever case the operator typed.
std::string wrap_scheme_text(KeyWrapScheme scheme) {
  return scheme == KeyWrapScheme::AesKw ? "kw" : "kwp";
}

struct WrapOptions {
  std::string kek;
  std::string scheme;
  std::optional<std::string> in;
  OutputOptions output;
};

struct UnwrapOptions {
  std::string kek;
  std::string scheme;
  std::string in;
  std::string out;
  bool json = false;
};

Result<void> run_wrap(const GlobalOptions& global, const WrapOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const KeyUri kek_uri, parse_key_uri(options.kek, "--kek"));
  CRATON_ASSIGN_OR_RETURN(const KeyWrapScheme scheme, parse_wrap_scheme(options.scheme));
  CRATON_RETURN_IF_ERROR(check_output(options.output));
  CRATON_ASSIGN_OR_RETURN(const SecretBytes key_bytes, read_secret_input(options.in));
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  CRATON_ASSIGN_OR_RETURN(const Key kek, resolve_key(*token, kek_uri));
  CRATON_ASSIGN_OR_RETURN(const Bytes wrapped, token->wrap_key(kek, scheme, key_bytes));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  return emit_bytes(
      wrapped, options.output, Sensitivity::Public, stdout_is_terminal(), "wrapped",
      {{"kek", kek.resident_uri().value_or(options.kek)}, {"scheme", wrap_scheme_text(scheme)}});
}

Result<void> run_unwrap(const GlobalOptions& global, const UnwrapOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const KeyUri kek_uri, parse_key_uri(options.kek, "--kek"));
  CRATON_ASSIGN_OR_RETURN(const KeyWrapScheme scheme, parse_wrap_scheme(options.scheme));
  CRATON_RETURN_IF_ERROR(check_output_file(options.out));
  CRATON_ASSIGN_OR_RETURN(const Bytes wrapped, read_input(options.in));
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  CRATON_ASSIGN_OR_RETURN(const Key kek, resolve_key(*token, kek_uri));
  CRATON_ASSIGN_OR_RETURN(const SecretBytes key_bytes, token->unwrap_key(kek, scheme, wrapped));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  OutputOptions output;
  output.out = options.out;
  output.json = options.json;
  return emit_bytes(
      key_bytes.expose(), output, Sensitivity::Secret, stdout_is_terminal(), "key",
      {{"kek", kek.resident_uri().value_or(options.kek)}, {"scheme", wrap_scheme_text(scheme)}});
}

void add_kek_scheme(CLI::App& command, std::string& kek, std::string& scheme) {
  command.add_option("--kek", kek, "PKCS#11 URI of the AES key-encryption key")
      ->required()
      ->type_name("URI");
  command.add_option("--scheme", scheme, "kw (RFC 3394) or kwp (RFC 5649)")
      ->required()
      ->type_name("kw|kwp");
}

}  // namespace

void add_wrap_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<WrapOptions>();
  CLI::App* command = app.add_subcommand("wrap", "wrap key bytes under a key on the token");
  add_kek_scheme(*command, options->kek, options->scheme);
  command->add_option("--in", options->in, "the key bytes (default: standard input)")
      ->type_name("KEYFILE");
  add_output_options(*command, options->output);
  command->footer(kWrapFooter);
  install_action(*command, global, action, options, run_wrap);
}

void add_unwrap_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<UnwrapOptions>();
  CLI::App* command = app.add_subcommand("unwrap", "unwrap key bytes with a key on the token");
  add_kek_scheme(*command, options->kek, options->scheme);
  command->add_option("--in", options->in, "the wrapped key ('-': standard input)")
      ->required()
      ->type_name("FILE");
  command->add_option("--out", options->out, "where the key bytes go (mode 0600)")
      ->required()
      ->type_name("FILE");
  command->add_flag("--json", options->json, "print one JSON object (without the key bytes)");
  command->footer(kUnwrapFooter);
  install_action(*command, global, action, options, run_unwrap);
}

}  // namespace craton::hsm::cli
