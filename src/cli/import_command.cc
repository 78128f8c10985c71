// SPDX-License-Identifier: Apache-2.0
// `craton-hsm import`: puts an existing private or secret key on the token as a resident key.
#include <craton/hsm/resident_keys.h>

#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "cli/io.h"
#include "cli/json_writer.h"
#include "cli/key_file.h"
#include "cli/key_json.h"
#include "cli/operator_commands.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kImportFooter = R"(
Stores a key you already hold on the token, as keygen would have made it: a persistent key
with --label and --id (random 8 bytes without --id), sensitive, and never extractable unless
--extractable (then only wrapped). --in reads a private key as PKCS#8 ("BEGIN PRIVATE KEY"),
SEC1 ("BEGIN EC PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY"), in PEM or DER (RSA 2048 to
8192 bits, EC P-256 and P-384, Ed25519): a key pair's private and public halves both go to the
token. With --raw-aes, --in holds the 16, 24 or 32 bytes of an AES key. --in - reads standard
input. Encrypted keys are refused: decrypt them into a pipe, never into a file:
  openssl pkey -in encrypted.pem | craton-hsm import --in - --label k
The key's bytes are kept in wiped memory and never printed; the file is left as it is (delete
it yourself once the key is on the token). The label and id must be new on the token.
--usage defaults to sign,verify (rsa, ec, ed25519) or encrypt,decrypt (aes).
--cert FILE stores an X.509 certificate (PEM "BEGIN CERTIFICATE" or DER) instead: a public
token object (CKO_CERTIFICATE, CKC_X_509) with CKA_SUBJECT, CKA_ISSUER and CKA_SERIAL_NUMBER
taken from it; give it its key's --id so that tools pair them. export-cert writes it back.

Example:
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem
  craton-hsm import --in k.pem --label imported-signing
  craton-hsm import --in aes.key --raw-aes --label imported-kek --usage wrap,unwrap
  craton-hsm import --cert server.pem --label server-cert --id 0a0b)";

// A key file is small: an RSA-8192 PEM is under 7 KiB.
constexpr std::size_t kMaxKeyFileBytes = std::size_t{1} << 20;

struct ImportOptions {
  std::optional<std::string> in;
  std::optional<std::string> cert;
  bool raw_aes = false;
  std::string label;
  std::optional<std::string> id_hex;
  std::optional<std::string> usage;
  bool extractable = false;
  bool json = false;
};

// The algorithm whose natural usages an imported key of `key`'s kind gets (KeyUsages).
KeyAlgorithm natural_algorithm(const Key& key) {
  switch (key.kind()) {
    case KeyKind::RsaPrivate:
    case KeyKind::RsaPublic:
      return KeyAlgorithm::Rsa2048;
    case KeyKind::EcPrivate:
    case KeyKind::EcPublic:
      return key.curve() == EcCurve::P384 ? KeyAlgorithm::EcP384 : KeyAlgorithm::EcP256;
    case KeyKind::Ed25519Private:
    case KeyKind::Ed25519Public:
      return KeyAlgorithm::Ed25519;
    case KeyKind::Hmac:
      return KeyAlgorithm::Hmac256;
    case KeyKind::Aes:
      break;
  }
  return KeyAlgorithm::Aes256;
}

// --in FILE or "-" as read_input's path (nullopt: standard input), and its name for messages.
std::pair<std::optional<std::string>, std::string> input_of(const std::string& given,
                                                            std::string_view option) {
  if (given == "-") return {std::nullopt, "standard input"};
  return {given, fmt::format("{} '{}'", option, given)};
}

Result<void> run_import_cert(const GlobalOptions& global, const ImportOptions& options) {
  if (options.raw_aes || options.usage || options.extractable) {
    return fail(ErrorCode::InvalidArgument,
                "--cert takes --label and --id only (--raw-aes, --usage and --extractable are "
                "for keys)");
  }
  CertificateSpec spec;
  spec.label = options.label;
  if (options.id_hex) {
    CRATON_ASSIGN_OR_RETURN(spec.id, parse_hex(*options.id_hex, "--id"));
  }
  const auto [path, name] = input_of(*options.cert, "--cert");
  CRATON_ASSIGN_OR_RETURN(const Bytes content, read_input(path, kMaxKeyFileBytes));
  CRATON_ASSIGN_OR_RETURN(const Bytes der, parse_certificate_file(content, name));
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  if (spec.id.empty()) {
    CRATON_ASSIGN_OR_RETURN(spec.id, token->random(kRandomIdBytes));
  }
  CRATON_ASSIGN_OR_RETURN(const TokenObjectInfo stored, token->import_certificate(der, spec));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  if (!options.json) return write_stdout(stored.uri + "\n");
  JsonWriter json;
  write_other_object_json(json, stored);
  return write_stdout(json.str() + "\n");
}

Result<void> run_import(const GlobalOptions& global, const ImportOptions& options) {
  if (options.in.has_value() == options.cert.has_value()) {
    return fail(ErrorCode::InvalidArgument, "import needs exactly one of --in (a key) and --cert");
  }
  if (options.cert) return run_import_cert(global, options);
  // Everything the operator gave is checked before the token is opened (and a PIN used).
  ResidentKeySpec spec;
  spec.label = options.label;
  spec.extractable = options.extractable;
  if (options.id_hex) {
    CRATON_ASSIGN_OR_RETURN(spec.id, parse_hex(*options.id_hex, "--id"));
  }
  if (options.usage) {
    CRATON_ASSIGN_OR_RETURN(spec.usages, KeyUsages::parse(*options.usage));
  }
  const auto [path, name] = input_of(*options.in, "--in");
  CRATON_ASSIGN_OR_RETURN(const SecretBytes content, read_secret_input(path, kMaxKeyFileBytes));
  CRATON_ASSIGN_OR_RETURN(const Key material, options.raw_aes
                                                  ? parse_raw_aes_file(content, name)
                                                  : parse_private_key_file(content, name));
  spec.algorithm = natural_algorithm(material);
  if (!spec.usages) spec.usages = KeyUsages::defaults_for(spec.algorithm);

  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  if (spec.id.empty()) {
    CRATON_ASSIGN_OR_RETURN(spec.id, token->random(kRandomIdBytes));
  }
  CRATON_ASSIGN_OR_RETURN(const Key key, token->import_resident_key(material, spec));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  ResidentKeyInfo info = generated_key_info(spec, key);
  info.local = false;  // CKA_LOCAL: the token did not make it
  if (!options.json) return write_stdout(info.uri + "\n");
  JsonWriter json;
  write_key_json(json, info);
  return write_stdout(json.str() + "\n");
}

}  // namespace

void add_import_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<ImportOptions>();
  CLI::App* command =
      app.add_subcommand("import", "put an existing key or X.509 certificate on the token");
  command->add_option("--in", options->in, "the key file (PEM or DER), or - for standard input")
      ->type_name("FILE");
  command
      ->add_option("--cert", options->cert,
                   "an X.509 certificate (PEM or DER) to store instead of a key, or -")
      ->type_name("FILE");
  command->add_flag("--raw-aes", options->raw_aes, "--in holds raw AES key bytes (16, 24, 32)");
  command->add_option("--label", options->label, "the key's label (CKA_LABEL), new on the token")
      ->required()
      ->type_name("LABEL");
  command->add_option("--id", options->id_hex, "the key's id (CKA_ID) in hex; default: random")
      ->type_name("HEX");
  command
      ->add_option("--usage", options->usage,
                   "comma-separated: sign, verify, encrypt, decrypt, wrap, unwrap, derive")
      ->type_name("LIST");
  command->add_flag("--extractable", options->extractable,
                    "allow wrapping the key out of the token (never in plaintext)");
  command->add_flag("--json", options->json,
                    "print the key object (as list --json shows it) instead of the URI");
  command->footer(kImportFooter);
  install_action(*command, global, action, options, run_import);
}

}  // namespace craton::hsm::cli
