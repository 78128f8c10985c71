// SPDX-License-Identifier: Apache-2.0
// `craton-hsm list`: the token's keys, certificates and data objects, as a table or as JSON.
#include <craton/hsm/resident_keys.h>

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/io.h"
#include "cli/json_writer.h"
#include "cli/key_json.h"
#include "cli/operator_commands.h"
#include "cli/table.h"
#include "cli/token_access.h"
#include "core/hex.h"
#include "uri/attributes.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kListFooter = R"(
Lists private, public and secret keys with their usages, certificates and data objects. Use a
row's URI (or just its object=... and type=... parts) as --key for the other commands, or as
--cert for export-cert. The filters narrow the list: --class private|public|secret|cert|data,
--type aes|hmac|rsa|ec|ed25519 (keys of that type only), --label and --id (exact). With
--attributes each object's non-secret attributes follow (CKA_* names, as pkcs11-tool shows
them); secret key parts (CKA_VALUE of private and secret keys, RSA private components) are
never read and show as <sensitive>, as does any value the token will not reveal.
A row whose URI does not name that object alone (it has no label and no id, or other objects
of its class share its label or id) shows a HANDLE: pass it with the URI, as --key URI --handle
N. A handle is the token's number for the object within one process; the command that takes it
checks that it names an object of exactly the URI's type, label and id, so a handle that moved
is refused, never applied to another object.

Example:
  craton-hsm list
  craton-hsm list --class cert --label 'web server'
  craton-hsm list --type ec --attributes
  craton-hsm list --json | jq -r '.keys[] | select(.class == "private") | .uri')";

struct ListOptions {
  std::optional<std::string> object_class;
  std::optional<std::string> type;
  std::optional<std::string> label;
  std::optional<std::string> id_hex;
  bool attributes = false;
  bool json = false;
};

const char* yes_no(bool flag) {
  return flag ? "yes" : "no";
}

Result<std::optional<ObjectClass>> parse_class(const std::optional<std::string>& name) {
  if (!name) return std::nullopt;
  if (*name == "secret") return ObjectClass::SecretKey;
  if (const auto found = uri::object_class_from_name(*name)) return *found;
  return fail(ErrorCode::InvalidArgument,
              "--class: expected private, public, secret (secret-key), cert or data");
}

// --type's word for a key kind (keygen's --type).
std::string_view type_word(KeyKind kind) {
  switch (kind) {
    case KeyKind::Aes:
      return "aes";
    case KeyKind::Hmac:
      return "hmac";
    case KeyKind::RsaPrivate:
    case KeyKind::RsaPublic:
      return "rsa";
    case KeyKind::EcPrivate:
    case KeyKind::EcPublic:
      return "ec";
    case KeyKind::Ed25519Private:
    case KeyKind::Ed25519Public:
      break;
  }
  return "ed25519";
}

Result<void> check_type(const std::optional<std::string>& type) {
  if (!type) return {};
  for (const char* word : {"aes", "hmac", "rsa", "ec", "ed25519"}) {
    if (*type == word) return {};
  }
  return fail(ErrorCode::InvalidArgument, "--type: expected aes, hmac, rsa, ec or ed25519");
}

std::string render_table(const std::vector<TokenObjectInfo>& objects) {
  Table table({{"LABEL"},
               {"ID"},
               {"CLASS"},
               {"TYPE"},
               {"BITS", Align::Right},
               {"USAGE"},
               {"LOCAL"},
               {"EXTRACTABLE"},
               {"URI"},
               {"HANDLE", Align::Right}});
  for (const TokenObjectInfo& object : objects) {
    const std::string handle = object.needs_handle ? std::to_string(object.handle) : "-";
    const std::string cls(object_class_name(object.object_class));
    if (const auto& key = object.key) {
      table.add_row({key->label, to_hex(key->id), cls, key_type_text(key->kind, key->curve),
                     std::to_string(key->bits), key->usages.to_string(), yes_no(key->local),
                     yes_no(key->extractable), object.uri, handle});
    } else {
      const std::string kind = object.object_class == ObjectClass::Certificate
                                   ? object.kind
                                   : (object.kind.empty() ? "data" : "data " + object.kind);
      table.add_row(
          {object.label, to_hex(object.id), cls, kind, "-", "-", "-", "-", object.uri, handle});
    }
  }
  if (table.empty()) return "no objects on the token match\n";
  std::string text = table.render();
  // A token that granted a key usages on its own (docs/vendors/README.md, strict templates).
  for (const TokenObjectInfo& object : objects) {
    if (!object.key || object.key->unexpected_usages == KeyUsages{}) continue;
    text += fmt::format("warning: {}: usages the token granted on its own: {}\n",
                        terminal_safe(object.uri), object.key->unexpected_usages.to_string());
  }
  for (const TokenObjectInfo& object : objects) {
    if (object.attributes.empty()) continue;
    text += "\n" + terminal_safe(object.uri);
    if (object.needs_handle) text += fmt::format(" (handle {})", object.handle);
    text += "\n";
    Table attributes({{""}, {""}});
    for (const ObjectAttribute& attribute : object.attributes) {
      attributes.add_row({attribute.name, attribute.value});
    }
    text += attributes.render("  ");
  }
  return text;
}

void write_attributes(JsonWriter& json, const TokenObjectInfo& object) {
  if (object.attributes.empty()) return;
  json.key("attributes").begin_object();
  for (const ObjectAttribute& attribute : object.attributes) {
    json.key(attribute.name).value(attribute.value);
  }
  json.end_object();
}

// {"keys":[...],"certificates":[...],"data":[...]} (docs/cli-json.md).
std::string render_json(const std::vector<TokenObjectInfo>& objects) {
  JsonWriter json;
  json.begin_object().key("keys").begin_array();
  for (const TokenObjectInfo& object : objects) {
    if (object.key) write_key_json(json, *object.key, [&] { write_attributes(json, object); });
  }
  json.end_array();
  for (const auto& [name, object_class] : {std::pair{"certificates", ObjectClass::Certificate},
                                           std::pair{"data", ObjectClass::Data}}) {
    json.key(name).begin_array();
    for (const TokenObjectInfo& object : objects) {
      if (object.object_class == object_class) {
        write_other_object_json(json, object, [&] { write_attributes(json, object); });
      }
    }
    json.end_array();
  }
  json.end_object();
  return json.str() + "\n";
}

Result<void> run_list(const GlobalOptions& global, const ListOptions& options) {
  ObjectQuery query;
  CRATON_ASSIGN_OR_RETURN(query.object_class, parse_class(options.object_class));
  CRATON_RETURN_IF_ERROR(check_type(options.type));
  query.label = options.label;
  if (options.id_hex) {
    CRATON_ASSIGN_OR_RETURN(query.id, parse_hex(*options.id_hex, "--id"));
  }
  query.attributes = options.attributes;
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  CRATON_ASSIGN_OR_RETURN(std::vector<TokenObjectInfo> objects, token->list_objects(query));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  if (options.type) {
    std::erase_if(objects, [&](const TokenObjectInfo& object) {
      return !object.key || type_word(object.key->kind) != *options.type;
    });
  }
  return write_stdout(options.json ? render_json(objects) : render_table(objects));
}

}  // namespace

void add_list_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<ListOptions>();
  CLI::App* command =
      app.add_subcommand("list", "list the keys, certificates and data objects on the token");
  command->add_option("--class", options->object_class, "private, public, secret, cert or data")
      ->type_name("CLASS");
  command->add_option("--type", options->type, "keys of this type: aes, hmac, rsa, ec, ed25519")
      ->type_name("TYPE");
  command->add_option("--label", options->label, "objects with exactly this label")
      ->type_name("LABEL");
  command->add_option("--id", options->id_hex, "objects with exactly this id (hex)")
      ->type_name("HEX");
  command->add_flag("--attributes", options->attributes,
                    "show each object's non-secret attributes");
  command->add_flag("--json", options->json, "print one JSON object instead of a table");
  command->footer(kListFooter);
  install_action(*command, global, action, options, run_list);
}

}  // namespace craton::hsm::cli
