// SPDX-License-Identifier: Apache-2.0
// `craton-hsm sign` and `verify`: signatures with a resident key, in DER or raw r‖s for ECDSA.
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/io.h"
#include "cli/json_writer.h"
#include "cli/message_stream.h"
#include "cli/operator_commands.h"
#include "cli/scheme_names.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kSignFooter = R"(
Signs the input (--in FILE, or standard input when omitted or '-') on the token; the token
hashes the message. Inputs of any size work: up to 1 MiB the token signs the message in one
call, a longer one it hashes in 64 KiB pieces and then signs the digest (the same signature,
in bounded memory). Ed25519 signs the whole message, so its input may be at most 64 MiB. ECDSA signatures are DER by default (what openssl dgst -verify and X.509
expect) or --format raw (r||s, PKCS#11's and JOSE's). The signature goes to --out FILE, or
to standard output when that is not a terminal (or as --hex/--base64/--json text).

Schemes: ecdsa-p256-sha256, ecdsa-p384-sha384, ed25519, rsa-pss-sha256|384|512,
rsa-pkcs1-sha256|384|512.

Example:
  craton-hsm sign --key 'pkcs11:object=release-signing' --scheme ecdsa-p256-sha256 \
      --in release.tar.gz --out release.tar.gz.sig)";

constexpr const char* kVerifyFooter = R"(
Prints "valid" and exits 0, or prints "invalid" and exits 1 (with one error line on stderr);
any other exit code means the check could not be made. The key may name the private key or
its public half. Messages of any size work, as for sign (Ed25519: at most 64 MiB); the
signature file may hold at most 64 KiB.

Example:
  craton-hsm verify --key 'pkcs11:object=release-signing' --scheme ecdsa-p256-sha256 \
      --in release.tar.gz --signature release.tar.gz.sig)";

// Far above any signature a supported scheme makes (RSA-4096: 512 bytes), so a wrong file
// (or /dev/zero) named as --signature is refused before it is read whole.
constexpr std::size_t kMaxSignatureBytes = std::size_t{64} * 1024;

struct SignOptions {
  std::string key;
  std::string scheme;
  std::optional<std::string> in;
  std::string format = "der";
  OutputOptions output;
};

struct VerifyOptions {
  std::string key;
  std::string scheme;
  std::optional<std::string> in;
  std::string signature;
  std::string format = "der";
  bool json = false;
};

void add_key_scheme_format(CLI::App& command, std::string& key, std::string& scheme,
                           std::string& format) {
  command.add_option("--key", key, "PKCS#11 URI of the key")->required()->type_name("URI");
  command.add_option("--scheme", scheme, "signature scheme (see below)")
      ->required()
      ->type_name("SCHEME");
  command.add_option("--format", format, "ECDSA signature encoding: der (default) or raw")
      ->type_name("der|raw");
}

Result<void> run_sign(const GlobalOptions& global, const SignOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const KeyUri key_uri, parse_key_uri(options.key, "--key"));
  CRATON_ASSIGN_OR_RETURN(const SignScheme scheme, parse_sign_scheme(options.scheme));
  CRATON_ASSIGN_OR_RETURN(const SignatureEncoding encoding, parse_signature_format(options.format));
  CRATON_RETURN_IF_ERROR(check_output(options.output));
  CRATON_ASSIGN_OR_RETURN(InputHead message, read_message(options.in, scheme));
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  CRATON_ASSIGN_OR_RETURN(const Key key, resolve_key(*token, key_uri));
  CRATON_ASSIGN_OR_RETURN(const Bytes signature,
                          sign_message(*token, key, scheme, message, encoding));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  return emit_bytes(signature, options.output, Sensitivity::Public, stdout_is_terminal(),
                    "signature",
                    {{"key", key.resident_uri().value_or(options.key)},
                     {"scheme", std::string(scheme_name(scheme))},
                     {"format", options.format}});
}

Result<void> run_verify(const GlobalOptions& global, const VerifyOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const KeyUri key_uri, parse_key_uri(options.key, "--key"));
  CRATON_ASSIGN_OR_RETURN(const SignScheme scheme, parse_sign_scheme(options.scheme));
  CRATON_ASSIGN_OR_RETURN(const SignatureEncoding encoding, parse_signature_format(options.format));
  CRATON_ASSIGN_OR_RETURN(const Bytes signature, read_input(options.signature, kMaxSignatureBytes));
  CRATON_ASSIGN_OR_RETURN(InputHead message, read_message(options.in, scheme));
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  CRATON_ASSIGN_OR_RETURN(const Key key, resolve_key(*token, key_uri));
  CRATON_ASSIGN_OR_RETURN(const VerifyOutcome outcome,
                          verify_message(*token, key, scheme, message, signature, encoding));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  const bool valid = outcome == VerifyOutcome::Valid;
  if (options.json) {
    JsonWriter json;
    json.begin_object().key("valid").value(valid).key("scheme").value(scheme_name(scheme));
    json.key("key").value(key.resident_uri().value_or(options.key)).end_object();
    CRATON_RETURN_IF_ERROR(write_stdout(json.str() + "\n"));
  } else {
    CRATON_RETURN_IF_ERROR(write_stdout(valid ? "valid\n" : "invalid\n"));
  }
  if (valid) return {};
  // A wrong signature is an answer, not a malfunction, but scripts branch on the exit code.
  return fail(ErrorCode::AuthenticationFailed,
              fmt::format("the signature does not verify under {} with {}",
                          key.resident_uri().value_or(options.key), scheme_name(scheme)));
}

}  // namespace

void add_sign_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<SignOptions>();
  CLI::App* command = app.add_subcommand("sign", "sign a file with a key on the token");
  add_key_scheme_format(*command, options->key, options->scheme, options->format);
  command->add_option("--in", options->in, "the message (default: standard input)")
      ->type_name("FILE");
  add_output_options(*command, options->output);
  command->footer(kSignFooter);
  install_action(*command, global, action, options, run_sign);
}

void add_verify_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* command = app.add_subcommand("verify", "verify a signature with a key on the token");
  add_key_scheme_format(*command, options->key, options->scheme, options->format);
  command->add_option("--in", options->in, "the message (default: standard input)")
      ->type_name("FILE");
  command->add_option("--signature", options->signature, "the signature to check")
      ->required()
      ->type_name("FILE");
  command->add_flag("--json", options->json, "print one JSON object");
  command->footer(kVerifyFooter);
  install_action(*command, global, action, options, run_verify);
}

}  // namespace craton::hsm::cli
