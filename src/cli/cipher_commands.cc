// SPDX-License-Identifier: Apache-2.0
// `craton-hsm encrypt` and `decrypt`: AES-GCM (iv‖ciphertext‖tag), AES-CBC-PAD and AES-CTR
// (ciphertext only, as openssl enc writes it) and RSA-OAEP with a resident key.
#include <craton/hsm/secret.h>

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
aes-cbc-pad (PKCS#7 padding) and aes-ctr (128-bit big-endian counter) take --iv HEX, 16 bytes,
and write the ciphertext alone: what openssl enc -aes-256-cbc / -aes-256-ctr -K KEY -iv IV
writes (-aes-128-... for a 128-bit key). Neither detects tampering: prefer aes-gcm unless a format demands them. Never reuse an
IV with the same key (for aes-ctr, a reused counter block gives away the XOR of the two
plaintexts); for aes-cbc-pad it must also be unpredictable: take a fresh one from
'craton-hsm random --bytes 16 --hex' for every message, and keep it with the ciphertext.
rsa-oaep-sha256|sha384|sha512: OAEP with MGF1 of the same hash, no label; the key may name
the private key or its public half. The input and --aad-file may be at most 64 MiB each.

Example:
  craton-hsm encrypt --key 'pkcs11:object=backup-key' --alg aes-gcm --aad db-2024 \
      --in dump.sql --out dump.sql.enc
  iv=$(craton-hsm random --bytes 16 --hex)
  craton-hsm encrypt --key 'pkcs11:object=backup-key' --alg aes-cbc-pad --iv "$iv" \
      --in dump.sql --out dump.sql.cbc)";

constexpr const char* kDecryptFooter = R"(
Takes what encrypt wrote, with the same --alg (and --aad, or --iv for aes-cbc-pad and
aes-ctr). Any tampering (or another --aad) fails with AuthenticationFailed (aes-gcm) or
EncryptedDataInvalid (rsa-oaep), and no plaintext is written; aes-cbc-pad only notices a
broken padding or a length that is not whole blocks (EncryptedDataInvalid), aes-ctr nothing.
Plaintext files are created with mode 0600; plaintext goes to standard output only when that
is not a terminal.

Example:
  craton-hsm decrypt --key 'pkcs11:object=backup-key' --alg aes-gcm --aad db-2024 \
      --in dump.sql.enc --out dump.sql)";

struct CipherOptions {
  std::string key;
  std::string alg;
  std::optional<std::string> in;
  std::optional<std::string> aad;
  std::optional<std::string> aad_file;
  std::optional<std::string> iv;
  OutputOptions output;
};

struct Prepared {
  std::unique_ptr<Pkcs11Backend> token;
  Key key;
  CipherChoice cipher;
  Bytes aad;
  Bytes iv;
  Bytes input;
};

bool takes_iv(CipherKind kind) {
  return kind == CipherKind::AesCbcPad || kind == CipherKind::AesCtr;
}

// --iv where the mode takes one (required, one AES block), refused everywhere else.
Result<Bytes> parse_iv(const CipherOptions& options, CipherKind kind) {
  if (!takes_iv(kind)) {
    if (!options.iv) return Bytes{};
    return fail(
        ErrorCode::InvalidArgument,
        fmt::format("--iv applies to aes-cbc-pad and aes-ctr only ({} {})", options.alg,
                    kind == CipherKind::AesGcm ? "draws a fresh IV on the token" : "takes none"));
  }
  if (!options.iv) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("--alg {} needs --iv HEX ({} bytes; a fresh one: craton-hsm random "
                            "--bytes 16 --hex)",
                            options.alg, kAesBlockSize));
  }
  CRATON_ASSIGN_OR_RETURN(Bytes iv, parse_hex(*options.iv, "--iv"));
  if (iv.size() != kAesBlockSize) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("--iv must be {} bytes ({} hex digits), not {}", kAesBlockSize,
                            2 * kAesBlockSize, iv.size()));
  }
  return iv;
}

// Everything the operator typed is checked before the token is opened.
Result<Prepared> prepare(const GlobalOptions& global, const CipherOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const KeyUri key_uri, parse_key_uri(options.key, "--key"));
  CRATON_ASSIGN_OR_RETURN(const CipherChoice cipher, parse_cipher(options.alg));
  if (cipher.kind != CipherKind::AesGcm && (options.aad || options.aad_file)) {
    return fail(ErrorCode::InvalidArgument, "--aad and --aad-file apply to aes-gcm only");
  }
  CRATON_ASSIGN_OR_RETURN(Bytes iv, parse_iv(options, cipher.kind));
  CRATON_RETURN_IF_ERROR(check_output(options.output));
  Bytes aad;
  if (options.aad) aad.assign(options.aad->begin(), options.aad->end());
  if (options.aad_file) {
    CRATON_ASSIGN_OR_RETURN(aad, read_input(*options.aad_file));
  }
  CRATON_ASSIGN_OR_RETURN(Bytes input, read_input(options.in));
  CRATON_ASSIGN_OR_RETURN(auto token, open_token(global));
  CRATON_ASSIGN_OR_RETURN(Key key, resolve_key(*token, key_uri));
  return Prepared{std::move(token), std::move(key), cipher,
                  std::move(aad),   std::move(iv),  std::move(input)};
}

Result<Bytes> encrypt(Prepared& job) {
  CryptoBackend& token = *job.token;
  switch (job.cipher.kind) {
    case CipherKind::AesGcm:
      return token.aes_gcm_encrypt(job.key, job.input, job.aad);
    case CipherKind::AesCbcPad:
      return token.aes_cbc_encrypt(job.key, job.iv, job.input);
    case CipherKind::AesCtr:
      return token.aes_ctr(job.key, job.iv, job.input);
    case CipherKind::RsaOaep:
      return token.rsa_oaep_encrypt(job.key, job.cipher.oaep_hash, job.input, {});
  }
  return fail(ErrorCode::Internal, "unknown cipher");
}

Result<SecretBytes> decrypt(Prepared& job) {
  CryptoBackend& token = *job.token;
  switch (job.cipher.kind) {
    case CipherKind::AesGcm:
      return token.aes_gcm_decrypt(job.key, job.input, job.aad);
    case CipherKind::AesCbcPad:
      return token.aes_cbc_decrypt(job.key, job.iv, job.input);
    case CipherKind::AesCtr: {
      // CTR is its own inverse, so the backend hands plaintext back as plain Bytes: move it
      // into wiping storage and wipe the original.
      CRATON_ASSIGN_OR_RETURN(Bytes opened, token.aes_ctr(job.key, job.iv, job.input));
      SecretBytes plaintext(opened);
      secure_wipe(opened.data(), opened.size());
      return plaintext;
    }
    case CipherKind::RsaOaep:
      return token.rsa_oaep_decrypt(job.key, job.cipher.oaep_hash, job.input, {});
  }
  return fail(ErrorCode::Internal, "unknown cipher");
}

Result<void> run_encrypt(const GlobalOptions& global, const CipherOptions& options) {
  CRATON_ASSIGN_OR_RETURN(Prepared job, prepare(global, options));
  CRATON_ASSIGN_OR_RETURN(const Bytes ciphertext, encrypt(job));
  CRATON_RETURN_IF_ERROR(job.token->flush_audit());
  return emit_bytes(ciphertext, options.output, Sensitivity::Public, stdout_is_terminal(),
                    "ciphertext",
                    {{"key", job.key.resident_uri().value_or(options.key)}, {"alg", options.alg}});
}

Result<void> run_decrypt(const GlobalOptions& global, const CipherOptions& options) {
  CRATON_ASSIGN_OR_RETURN(Prepared job, prepare(global, options));
  CRATON_ASSIGN_OR_RETURN(const SecretBytes plaintext, decrypt(job));
  CRATON_RETURN_IF_ERROR(job.token->flush_audit());
  // The plaintext is written where the operator asked; no error message ever contains it.
  return emit_bytes(plaintext.expose(), options.output, Sensitivity::Secret, stdout_is_terminal(),
                    "plaintext",
                    {{"key", job.key.resident_uri().value_or(options.key)}, {"alg", options.alg}});
}

void add_cipher_options(CLI::App& command, CipherOptions& options) {
  command.add_option("--key", options.key, "PKCS#11 URI of the key")->required()->type_name("URI");
  command
      .add_option("--alg", options.alg,
                  "aes-gcm, aes-cbc-pad, aes-ctr or rsa-oaep-sha256|sha384|sha512")
      ->required()
      ->type_name("ALG");
  command.add_option("--in", options.in, "the input (default: standard input)")->type_name("FILE");
  auto* aad =
      command.add_option("--aad", options.aad, "associated data for aes-gcm")->type_name("STRING");
  auto* aad_file =
      command.add_option("--aad-file", options.aad_file, "associated data for aes-gcm, from FILE")
          ->type_name("FILE");
  aad->excludes(aad_file);
  command
      .add_option("--iv", options.iv,
                  "16 bytes in hex: the IV of aes-cbc-pad, the counter of aes-ctr")
      ->type_name("HEX");
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
