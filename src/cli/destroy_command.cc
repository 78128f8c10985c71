// SPDX-License-Identifier: Apache-2.0
// `craton-hsm destroy`: removes a resident key from the token, after the operator confirms.
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "cli/destroy_confirm.h"
#include "cli/io.h"
#include "cli/json_writer.h"
#include "cli/operator_commands.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kFooter = R"(
Destroys the key the URI resolves to and, for a key pair, its public half. This cannot be
undone. On a terminal you confirm by typing the key's label (or its hex id when the URI names
no label); scripts must pass --yes, and without a terminal and without --yes nothing is
destroyed (exit 2). The library records the destruction in the audit trail when one is
configured; the trail is not held open while the prompt waits, so other commands that write
it are not kept waiting.

Example:
  craton-hsm destroy --key 'pkcs11:object=old-signing-key'
  craton-hsm destroy --key 'pkcs11:object=old-signing-key' --yes)";

struct DestroyOptions {
  std::string key;
  bool yes = false;
  bool json = false;
};

// What the confirmation names: a pair's private key takes its public half along.
std::string_view what_is_destroyed(const Key& key) {
  switch (key.kind()) {
    case KeyKind::Aes:
    case KeyKind::Hmac:
      return "the secret key";
    case KeyKind::RsaPrivate:
    case KeyKind::EcPrivate:
    case KeyKind::Ed25519Private:
      return "the private key and its public half";
    case KeyKind::RsaPublic:
    case KeyKind::EcPublic:
    case KeyKind::Ed25519Public:
      break;
  }
  return "the public key";
}

Result<void> ask_on_terminal(const KeyRef& ref, const Key& found, const std::string& uri) {
  const std::string expected = confirmation_word(ref);
  fmt::print(stderr, "This destroys {} {} permanently.\nType the key's {} ({}) to confirm: ",
             what_is_destroyed(found), uri, ref.label ? "label" : "id", expected);
  std::fflush(stderr);
  std::string typed;
  std::getline(std::cin, typed);
  if (!confirmation_matches(typed, expected)) {
    return fail(ErrorCode::InvalidArgument, "not confirmed; nothing was destroyed");
  }
  return {};
}

// Finds the key and asks the operator, on a token opened for this alone: it is closed, and with
// it the audit trail (whose lock other processes wait for), before anyone is asked.
Result<void> confirm(const GlobalOptions& global, const KeyUri& key, const std::string& given) {
  std::string uri;
  std::optional<Key> found;
  {
    CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
    CRATON_ASSIGN_OR_RETURN(found, resolve_key(*token, key));
    uri = found->resident_uri().value_or(given);
    CRATON_RETURN_IF_ERROR(token->flush_audit());
  }
  return ask_on_terminal(key.ref, *found, uri);
}

Result<void> run_destroy(const GlobalOptions& global, const DestroyOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const KeyUri key, parse_key_uri(options.key, "--key"));
  // Refused before the token is opened: there is no one to ask.
  CRATON_RETURN_IF_ERROR(check_destroy_allowed(options.yes, stdin_is_terminal()));
  // Resolving first proves the key exists and is unambiguous before anyone is asked.
  if (!options.yes) CRATON_RETURN_IF_ERROR(confirm(global, key, options.key));
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  CRATON_ASSIGN_OR_RETURN(const Key found, resolve_key(*token, key));
  const std::string uri = found.resident_uri().value_or(options.key);
  CRATON_RETURN_IF_ERROR(token->destroy_key(key.ref));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  if (!options.json) return write_stdout(fmt::format("destroyed {}\n", uri));
  JsonWriter json;
  json.begin_object().key("key").value(uri).key("destroyed").value(true).end_object();
  return write_stdout(json.str() + "\n");
}

}  // namespace

void add_destroy_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<DestroyOptions>();
  CLI::App* command = app.add_subcommand("destroy", "destroy a key on the token (irreversible)");
  command->add_option("--key", options->key, "PKCS#11 URI of the key")
      ->required()
      ->type_name("URI");
  command->add_flag("--yes", options->yes, "do not ask for confirmation (scripts)");
  command->add_flag("--json", options->json, "print one JSON object");
  command->footer(kFooter);
  install_action(*command, global, action, options, run_destroy);
}

}  // namespace craton::hsm::cli
