// SPDX-License-Identifier: Apache-2.0
// `craton-hsm list`: every key object on the token, as a table or as JSON.
#include <craton/hsm/resident_keys.h>

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

namespace craton::hsm::cli {
namespace {

constexpr const char* kFooter = R"(
Lists private, public and secret key objects with their usages. Use a row's URI (or just its
object=... and type=... parts) as --key for the other commands. No key material is read.
A row whose URI does not name that object alone (it has no label and no id, or other keys of
its type share its label or id) shows a HANDLE: pass it with the URI, as --key URI --handle N.
A handle is the token's number for the object within one process; the command that takes it
checks that it names an object of exactly the URI's type, label and id, so a handle that moved
is refused, never applied to another object.

Example:
  craton-hsm list
  craton-hsm list --json | jq -r '.keys[] | select(.class == "private") | .uri')";

struct ListOptions {
  bool json = false;
};

const char* yes_no(bool flag) {
  return flag ? "yes" : "no";
}

std::string render_table(const std::vector<ResidentKeyInfo>& keys) {
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
  for (const ResidentKeyInfo& info : keys) {
    table.add_row({info.label, to_hex(info.id), std::string(object_class_name(info.object_class)),
                   key_type_text(info.kind, info.curve), std::to_string(info.bits),
                   info.usages.to_string(), yes_no(info.local), yes_no(info.extractable), info.uri,
                   info.needs_handle ? std::to_string(info.handle) : "-"});
  }
  if (table.empty()) return "no keys on the token\n";
  return table.render();
}

std::string render_json(const std::vector<ResidentKeyInfo>& keys) {
  JsonWriter json;
  json.begin_object().key("keys").begin_array();
  for (const ResidentKeyInfo& info : keys) write_key_json(json, info);
  json.end_array().end_object();
  return json.str() + "\n";
}

Result<void> run_list(const GlobalOptions& global, const ListOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  CRATON_ASSIGN_OR_RETURN(const std::vector<ResidentKeyInfo> keys, token->list_keys());
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  return write_stdout(options.json ? render_json(keys) : render_table(keys));
}

}  // namespace

void add_list_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<ListOptions>();
  CLI::App* command = app.add_subcommand("list", "list the key objects on the token");
  command->add_flag("--json", options->json, "print one JSON object instead of a table");
  command->footer(kFooter);
  install_action(*command, global, action, options, run_list);
}

}  // namespace craton::hsm::cli
