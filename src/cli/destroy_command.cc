// SPDX-License-Identifier: Apache-2.0
// `craton-hsm destroy`: removes a resident key from the token, after the operator confirms.
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/destroy_confirm.h"
#include "cli/io.h"
#include "cli/json_writer.h"
#include "cli/object_select.h"
#include "cli/operator_commands.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kDestroyFooter = R"(
Destroys the key the URI resolves to and, for a key pair, its public half. This cannot be
undone. On a terminal you confirm by typing the key's label (or its hex id when the URI names
no label); scripts must pass --yes, and without a terminal and without --yes nothing is
destroyed (exit 2). The library records the destruction in the audit trail when one is
configured; the trail is not held open while the prompt waits, so other commands that write
it are not kept waiting.

An object that no URI names alone (no label and no id, or several keys of its type with the
same label) is named by the URI and handle `list` prints for it: --key 'pkcs11:...;type=private'
--handle N. A handle is the token's number for the object in one process; it is checked to
name a key of exactly the URI's type, label and id (none when the URI has none) and refused
otherwise, so a stale or mistyped handle destroys nothing. Confirm such a key by typing its
handle.

Certificates and data objects are destroyed the same way, named with type=cert or type=data
(a key's certificate is not destroyed with the key).

Example:
  craton-hsm destroy --key 'pkcs11:object=old-signing-key'
  craton-hsm destroy --key 'pkcs11:object=old-signing-key' --yes
  craton-hsm destroy --key 'pkcs11:object=old-server-cert;type=cert' --yes
  craton-hsm destroy --key 'pkcs11:type=secret-key' --handle 7 --yes)";

struct DestroyOptions {
  std::string key;
  std::optional<std::uint64_t> handle;
  bool yes = false;
  bool json = false;
};

// What the confirmation names: a pair's private key takes its public half along.
std::string_view what_is_destroyed(KeyKind kind) {
  switch (kind) {
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

// The object a --key (and --handle) names, as the prompt and the result name it.
struct Target {
  std::string_view what;  // what_is_destroyed
  std::string uri;
};

std::string_view what_is_destroyed(const TokenObjectInfo& object) {
  if (object.key) return what_is_destroyed(object.key->kind);
  return object.object_class == ObjectClass::Certificate ? "the certificate" : "the data object";
}

// Whether list's `info` is an object `ref` names, as the backend's search matches: the class
// (without one, private and secret keys), and the label and id the reference carries; with a
// handle, exactly that object, whose label and id are exactly the reference's.
bool names(const KeyRef& ref, const TokenObjectInfo& info) {
  if (ref.handle) {
    return info.handle == *ref.handle && info.object_class == ref.object_class &&
           info.label == ref.label.value_or(std::string()) &&
           info.id == ref.id.value_or(std::vector<std::uint8_t>{});
  }
  const bool class_fits = ref.object_class ? info.object_class == *ref.object_class
                                           : info.object_class == ObjectClass::PrivateKey ||
                                                 info.object_class == ObjectClass::SecretKey;
  return class_fits && (!ref.label || info.label == *ref.label) && (!ref.id || info.id == *ref.id);
}

Result<Target> find_target(Pkcs11Backend& token, const KeyUri& key, const std::string& given) {
  const bool is_key =
      key.ref.object_class != ObjectClass::Certificate && key.ref.object_class != ObjectClass::Data;
  // Why the key has no Key form, reported when list's description does not name it either.
  std::optional<HsmError> unresolved;
  if (is_key && !key.ref.handle) {
    Result<Key> found = resolve_key(token, key);
    if (found) {
      return Target{what_is_destroyed(found->kind()), found->resident_uri().value_or(given)};
    }
    unresolved = std::move(found).error();
  }
  // Some keys have no Key form (an EC private key without an id has no public value to build
  // one from), certificates and data objects have none: list's description names them.
  // destroy_key checks the reference again itself.
  CRATON_RETURN_IF_ERROR(check_same_token(key, token));
  ObjectQuery query;
  query.object_class = key.ref.object_class;
  query.label = key.ref.label;
  query.id = key.ref.id;
  CRATON_ASSIGN_OR_RETURN(const std::vector<TokenObjectInfo> objects, token.list_objects(query));
  std::vector<const TokenObjectInfo*> named;
  for (const TokenObjectInfo& info : objects) {
    if (names(key.ref, info)) named.push_back(&info);
  }
  if (named.size() == 1) {
    const TokenObjectInfo& info = *named.front();
    if (!key.ref.handle) return Target{what_is_destroyed(info), info.uri};
    return Target{what_is_destroyed(info), fmt::format("{} (handle {})", info.uri, info.handle)};
  }
  if (unresolved) return std::unexpected(std::move(*unresolved));
  if (!key.ref.handle) {
    return fail(
        named.empty() ? ErrorCode::KeyNotFound : ErrorCode::KeyAmbiguous,
        fmt::format("{} objects match {}; nothing was destroyed", named.size(), key.ref.to_uri()));
  }
  return fail(ErrorCode::KeyNotFound,
              fmt::format("no key has handle {} and exactly the type, label and id of {} (handles "
                          "may differ between processes: list again); nothing was destroyed",
                          *key.ref.handle, key.ref.to_uri()));
}

Result<void> ask_on_terminal(const KeyRef& ref, const Target& target) {
  const std::string expected = confirmation_word(ref);
  const char* word = ref.label ? "label" : ref.id ? "id" : "handle";
  fmt::print(stderr,
             "This destroys {} {} permanently.\nType the key's {} ({}) to confirm: ", target.what,
             target.uri, word, expected);
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
  std::optional<Target> target;
  {
    CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
    CRATON_ASSIGN_OR_RETURN(target, find_target(*token, key, given));
    CRATON_RETURN_IF_ERROR(token->flush_audit());
  }
  return ask_on_terminal(key.ref, *target);
}

Result<void> run_destroy(const GlobalOptions& global, const DestroyOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const KeyUri key,
                          parse_object_selection(options.key, options.handle, "--key"));
  // Refused before the token is opened: there is no one to ask.
  CRATON_RETURN_IF_ERROR(check_destroy_allowed(options.yes, stdin_is_terminal()));
  // Resolving first proves the key exists and is unambiguous before anyone is asked.
  if (!options.yes) CRATON_RETURN_IF_ERROR(confirm(global, key, options.key));
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  CRATON_ASSIGN_OR_RETURN(const Target target, find_target(*token, key, options.key));
  CRATON_RETURN_IF_ERROR(token->destroy_key(key.ref));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  if (!options.json) return write_stdout(fmt::format("destroyed {}\n", target.uri));
  JsonWriter json;
  json.begin_object().key("key").value(target.uri).key("destroyed").value(true).end_object();
  return write_stdout(json.str() + "\n");
}

}  // namespace

void add_destroy_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<DestroyOptions>();
  CLI::App* command = app.add_subcommand("destroy", "destroy a key on the token (irreversible)");
  command->add_option("--key", options->key, "PKCS#11 URI of the key (or certificate, data object)")
      ->required()
      ->type_name("URI");
  add_handle_option(*command, options->handle);
  command->add_flag("--yes", options->yes, "do not ask for confirmation (scripts)");
  command->add_flag("--json", options->json, "print one JSON object");
  command->footer(kDestroyFooter);
  install_action(*command, global, action, options, run_destroy);
}

}  // namespace craton::hsm::cli
