// SPDX-License-Identifier: Apache-2.0
// `craton-hsm keygen`: generates a persistent key (pair) on the token and prints its URI.
#include <craton/hsm/resident_keys.h>

#include <cstdio>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/io.h"
#include "cli/json_writer.h"
#include "cli/key_json.h"
#include "cli/operator_commands.h"
#include "cli/scheme_names.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kKeygenFooter = R"(
The key is generated on the token and never leaves it (CKA_SENSITIVE; CKA_EXTRACTABLE only
with --extractable, and then only wrapped). Private, secret and public objects share the
label and id. Without --id a random 8-byte id is drawn from the token. --usage defaults to
sign,verify (rsa, ec, ed25519, hmac) or encrypt,decrypt (aes); wrap, unwrap and derive must
be asked for.

Example:
  craton-hsm keygen --type ec --curve p256 --label release-signing
  craton-hsm keygen --type aes --size 256 --label backup-kek --usage wrap,unwrap)";

struct KeygenOptions {
  std::string type;
  std::optional<unsigned> size;
  std::optional<std::string> curve;
  std::string label;
  std::optional<std::string> id_hex;
  std::optional<std::string> usage;
  bool extractable = false;
  bool json = false;
};

Result<void> print_result(const KeygenOptions& options, const ResidentKeySpec& spec,
                          const Key& key) {
  const ResidentKeyInfo info = generated_key_info(spec, key);
  if (!options.json) return write_stdout(info.uri + "\n");
  JsonWriter json;
  write_key_json(json, info);
  return write_stdout(json.str() + "\n");
}

Result<void> run_keygen(const GlobalOptions& global, const KeygenOptions& options) {
  // Everything the operator typed is checked before the token is opened (and a PIN used).
  ResidentKeySpec spec;
  CRATON_ASSIGN_OR_RETURN(spec.algorithm,
                          parse_key_algorithm(options.type, options.size, options.curve));
  spec.label = options.label;
  spec.extractable = options.extractable;
  if (options.id_hex) {
    CRATON_ASSIGN_OR_RETURN(spec.id, parse_hex(*options.id_hex, "--id"));
  }
  if (options.usage) {
    CRATON_ASSIGN_OR_RETURN(spec.usages, KeyUsages::parse(*options.usage));
  }
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  if (spec.id.empty()) {
    CRATON_ASSIGN_OR_RETURN(spec.id, token->random(kRandomIdBytes));
  }
  CRATON_ASSIGN_OR_RETURN(const Key key, token->generate_resident_key(spec));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  if (const KeyUsages extra = key.extra_usages(); extra != KeyUsages{}) {
    // Kept (strict_usages = false): the operator should know what the key can do.
    fmt::print(stderr, "warning: the token granted usages that were not asked for: {}\n",
               extra.to_string());
    std::fflush(stderr);
  }
  return print_result(options, spec, key);
}

}  // namespace

void add_keygen_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<KeygenOptions>();
  CLI::App* command = app.add_subcommand("keygen", "generate a key (pair) that lives on the token");
  command->add_option("--type", options->type, "aes, rsa, ec, ed25519 or hmac")
      ->required()
      ->type_name("TYPE");
  command
      ->add_option("--size", options->size,
                   "bits: aes 128/192/256 (256), rsa 2048/3072/4096 (3072), hmac 256/512 (256)")
      ->type_name("BITS");
  command->add_option("--curve", options->curve, "ec curve: p256 (default) or p384")
      ->type_name("CURVE");
  command->add_option("--label", options->label, "the key's label (CKA_LABEL), unique on the token")
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
  command->footer(kKeygenFooter);
  install_action(*command, global, action, options, run_keygen);
}

}  // namespace craton::hsm::cli
