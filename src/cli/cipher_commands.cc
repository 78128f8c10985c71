// SPDX-License-Identifier: Apache-2.0
// `craton-hsm encrypt` and `decrypt`: AES-GCM (iv‖ciphertext‖tag) and RSA-OAEP with a
// resident key.
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/io.h"
#include "cli/operator_commands.h"
#include "cli/scheme_names.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kEncryptFooter = R"(
aes-gcm: a fresh 96-bit IV from the token per message; the output is iv(12) || ciphertext ||
tag(16). --aad STRING or --aad-file FILE binds associated data that decrypt must repeat.
rsa-oaep-sha256|sha384|sha512: OAEP with MGF1 of the same hash, no label; the key may name
the private key or its public half. The input and --aad-file may be at most 64 MiB each.

Example:
  craton-hsm encrypt --key 'pkcs11:object=backup-key' --alg aes-gcm --aad db-2024 \
      --in dump.sql --out dump.sql.enc)";

constexpr const char* kDecryptFooter = R"(
Takes what encrypt wrote. Any tampering (or another --aad) fails with AuthenticationFailed
(aes-gcm) or EncryptedDataInvalid (rsa-oaep), and no plaintext is written. Plaintext files are
created with mode 0600; plaintext goes to standard output only when that is not a terminal.

Example:
  craton-hsm decrypt --key 'pkcs11:object=backup-key' --alg aes-gcm --aad db-2024 \
      --in dump.sql.enc --out dump.sql)";

struct CipherOptions {
  std::string key;
  std::string alg;
  std::optional<std::string> in;
  std::optional<std::string> aad;
  std::optional<std::string> aad_file;
  OutputOptions output;
};

struct Prepared {
  std::unique_ptr<Pkcs11Backend> token;
  Key key;
  CipherChoice cipher;
  Bytes aad;
  Bytes input;
};

// Everything the operator typed is checked before the token is opened.
Result<Prepared> prepare(const GlobalOptions& global, const CipherOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const KeyUri key_uri, parse_key_uri(options.key, "--key"));
  CRATON_ASSIGN_OR_RETURN(const CipherChoice cipher, parse_cipher(options.alg));
  Bytes aad;
  if (options.aad) aad.assign(options.aad->begin(), options.aad->end());
  if (options.aad_file) {
    CRATON_ASSIGN_OR_RETURN(aad, read_input(*options.aad_file));
  }
  if (!cipher.aes_gcm && (options.aad || options.aad_file)) {
    return fail(ErrorCode::InvalidArgument, "--aad and --aad-file apply to aes-gcm only");
  }
  CRATON_RETURN_IF_ERROR(check_output(options.output));
  CRATON_ASSIGN_OR_RETURN(Bytes input, read_input(options.in));
  CRATON_ASSIGN_OR_RETURN(auto token, open_token(global));
  CRATON_ASSIGN_OR_RETURN(Key key, resolve_key(*token, key_uri));
  return Prepared{std::move(token), std::move(key), cipher, std::move(aad), std::move(input)};
}

Result<void> run_encrypt(const GlobalOptions& global, const CipherOptions& options) {
  CRATON_ASSIGN_OR_RETURN(Prepared job, prepare(global, options));
  Bytes ciphertext;
  if (job.cipher.aes_gcm) {
    CRATON_ASSIGN_OR_RETURN(ciphertext, job.token->aes_gcm_encrypt(job.key, job.input, job.aad));
  } else {
    CRATON_ASSIGN_OR_RETURN(
        ciphertext, job.token->rsa_oaep_encrypt(job.key, job.cipher.oaep_hash, job.input, {}));
  }
  CRATON_RETURN_IF_ERROR(job.token->flush_audit());
  return emit_bytes(ciphertext, options.output, Sensitivity::Public, stdout_is_terminal(),
                    "ciphertext",
                    {{"key", job.key.resident_uri().value_or(options.key)}, {"alg", options.alg}});
}

Result<void> run_decrypt(const GlobalOptions& global, const CipherOptions& options) {
  CRATON_ASSIGN_OR_RETURN(Prepared job, prepare(global, options));
  SecretBytes plaintext;
  if (job.cipher.aes_gcm) {
    CRATON_ASSIGN_OR_RETURN(plaintext, job.token->aes_gcm_decrypt(job.key, job.input, job.aad));
  } else {
    CRATON_ASSIGN_OR_RETURN(
        plaintext, job.token->rsa_oaep_decrypt(job.key, job.cipher.oaep_hash, job.input, {}));
  }
  CRATON_RETURN_IF_ERROR(job.token->flush_audit());
  // The plaintext is written where the operator asked; no error message ever contains it.
  return emit_bytes(plaintext.expose(), options.output, Sensitivity::Secret, stdout_is_terminal(),
                    "plaintext",
                    {{"key", job.key.resident_uri().value_or(options.key)}, {"alg", options.alg}});
}

void add_cipher_options(CLI::App& command, CipherOptions& options) {
  command.add_option("--key", options.key, "PKCS#11 URI of the key")->required()->type_name("URI");
  command.add_option("--alg", options.alg, "aes-gcm or rsa-oaep-sha256|sha384|sha512")
      ->required()
      ->type_name("ALG");
  command.add_option("--in", options.in, "the input (default: standard input)")->type_name("FILE");
  auto* aad =
      command.add_option("--aad", options.aad, "associated data for aes-gcm")->type_name("STRING");
  auto* aad_file =
      command.add_option("--aad-file", options.aad_file, "associated data for aes-gcm, from FILE")
          ->type_name("FILE");
  aad->excludes(aad_file);
  add_output_options(command, options.output);
}

}  // namespace

void add_encrypt_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<CipherOptions>();
  CLI::App* command = app.add_subcommand("encrypt", "encrypt with a key on the token");
  add_cipher_options(*command, *options);
  command->footer(kEncryptFooter);
  install_action(*command, global, action, options, run_encrypt);
}

void add_decrypt_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<CipherOptions>();
  CLI::App* command = app.add_subcommand("decrypt", "decrypt with a key on the token");
  add_cipher_options(*command, *options);
  command->footer(kDecryptFooter);
  install_action(*command, global, action, options, run_decrypt);
}

}  // namespace craton::hsm::cli
