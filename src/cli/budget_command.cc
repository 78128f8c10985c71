// SPDX-License-Identifier: Apache-2.0
// `craton-hsm budget list|show|retire`: the durable GCM budget store of the configuration's
// [budget] table, for operators (docs/budget-stores.md).
#include <craton/hsm/config.h>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "budget/open_store.h"
#include "cli/destroy_confirm.h"
#include "cli/io.h"
#include "cli/json_writer.h"
#include "cli/operator_commands.h"
#include "cli/table.h"

namespace craton::hsm::cli {
namespace {

using budget::BudgetRecord;
using budget::BudgetStore;
using budget::KeyIdentity;

constexpr const char* kBudgetFooter = R"(
The store is the one the configuration's [budget] table names (--config FILE or
$CRATON_HSM_CONFIG): an SQLite file or a PostgreSQL database. Keys appear under their budget
identity, an HMAC of the key under the configured identity key: 64 hex digits that name the key
without revealing it. "used" counts every message reserved so far, spent or lost when a process
died; it never decreases.

Example:
  craton-hsm budget list --config /etc/craton/craton.toml
  craton-hsm budget show 3f2a...e9 --json
  craton-hsm budget retire 3f2a...e9 --yes)";

constexpr const char* kRetireFooter = R"(
Retiring a key stops every process that shares the store from encrypting under it again, for
good: use it when the key has been rotated out, or when its budget nears the limit and a new
key has taken over. Decryption is not affected. On a terminal you confirm by typing the first
8 hex digits of the identity; scripts must pass --yes, and without a terminal and without
--yes nothing is retired (exit 2). An identity the store has no budget for is refused (exit 3:
a mistyped identity must not look retired while the real key keeps encrypting); to retire a
key before its first use, pass --before-first-use.)";

struct ListOptions {
  bool json = false;
};

struct KeyOptions {
  std::string identity;
  bool yes = false;
  bool json = false;
  bool before_first_use = false;  // retire: an identity with no budget yet is retired too
};

Result<std::unique_ptr<BudgetStore>> open_store(const GlobalOptions& global) {
  if (!configured_config_file(global)) {
    return fail(ErrorCode::ConfigInvalid,
                "budget: needs the configuration whose [budget] table names the store (--config "
                "FILE or $CRATON_HSM_CONFIG)");
  }
  CRATON_ASSIGN_OR_RETURN(const CliConfig cli_config, build_config(global));
  const BudgetConfig& store_config = cli_config.config.budget;
  if (store_config.store == BudgetStoreKind::Memory) {
    return fail(ErrorCode::ConfigInvalid,
                "budget: the configuration's budget store is \"memory\" (the default): each "
                "process counts for itself and nothing durable is kept, so there is nothing to "
                "list or retire; set [budget] store = \"sqlite\" or \"postgresql\"");
  }
  return budget::open_budget_store(store_config);
}

Result<KeyIdentity> parse_identity(const std::string& text) {
  const std::optional<KeyIdentity> key = KeyIdentity::from_hex(text);
  if (!key) {
    return fail(ErrorCode::InvalidArgument,
                "IDENTITY: expected the 64 hex digits of a budget identity, as `budget list` "
                "prints them");
  }
  return *key;
}

// ISO 8601 in UTC; "never" for a key retired before any reservation.
std::string time_text(std::int64_t unix_seconds) {
  if (unix_seconds <= 0) return "never";
  const auto seconds = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  if (::gmtime_r(&seconds, &utc) == nullptr) return std::to_string(unix_seconds);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

std::string_view state(const BudgetRecord& record) {
  if (record.retired) return "retired";
  return record.used >= record.limit ? "exhausted" : "active";
}

void record_json(JsonWriter& json, const BudgetRecord& record) {
  json.begin_object();
  json.key("identity").value(record.key.hex());
  json.key("used").value(record.used);
  json.key("limit").value(record.limit);
  json.key("remaining").value(record.used < record.limit ? record.limit - record.used : 0);
  json.key("last_reserved");
  if (record.last_reserved_unix > 0) {
    json.value(time_text(record.last_reserved_unix));
  } else {
    json.null();
  }
  json.key("last_host").value(record.last_host);
  json.key("state").value(state(record));
  json.end_object();
}

Result<void> run_list(const GlobalOptions& global, const ListOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const auto store, open_store(global));
  CRATON_ASSIGN_OR_RETURN(const std::vector<BudgetRecord> records, store->list());
  if (options.json) {
    JsonWriter json;
    json.begin_object().key("store").value(store->describe()).key("keys").begin_array();
    for (const BudgetRecord& record : records) record_json(json, record);
    json.end_array().end_object();
    return write_stdout(json.str() + "\n");
  }
  if (records.empty()) return write_stdout(fmt::format("no keys in {}\n", store->describe()));
  Table table({{"IDENTITY"},
               {"USED", Align::Right},
               {"LIMIT", Align::Right},
               {"LAST RESERVED (UTC)"},
               {"HOST"},
               {"STATE"}});
  for (const BudgetRecord& record : records) {
    table.add_row({record.key.hex(), std::to_string(record.used), std::to_string(record.limit),
                   time_text(record.last_reserved_unix),
                   record.last_host.empty() ? "-" : record.last_host, std::string(state(record))});
  }
  return write_stdout(table.render());
}

std::string show_text(const BudgetStore& store, const BudgetRecord& record) {
  Table table({{""}, {""}});
  table.add_row({"store", store.describe()});
  table.add_row({"identity", record.key.hex()});
  table.add_row({"used", std::to_string(record.used)});
  table.add_row({"limit", std::to_string(record.limit)});
  table.add_row(
      {"remaining", std::to_string(record.used < record.limit ? record.limit - record.used : 0)});
  table.add_row({"last reserved", time_text(record.last_reserved_unix)});
  table.add_row({"last host", record.last_host.empty() ? "-" : record.last_host});
  table.add_row({"state", std::string(state(record))});
  return table.render();
}

Result<void> run_show(const GlobalOptions& global, const KeyOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const KeyIdentity key, parse_identity(options.identity));
  CRATON_ASSIGN_OR_RETURN(const auto store, open_store(global));
  CRATON_ASSIGN_OR_RETURN(const BudgetRecord record, store->show(key));
  if (!options.json) return write_stdout(show_text(*store, record));
  JsonWriter json;
  json.begin_object().key("store").value(store->describe()).key("key");
  record_json(json, record);
  json.end_object();
  return write_stdout(json.str() + "\n");
}

// The operator types the identity's first 8 hex digits: enough to show they read the right
// line of `budget list`, short enough to type.
Result<void> ask_on_terminal(const BudgetStore& store, const KeyIdentity& key) {
  const std::string expected = key.hex().substr(0, 8);
  fmt::print(stderr,
             "This retires key {} in {} for good: no process may encrypt under it again.\n"
             "Type the first 8 hex digits of the identity ({}) to confirm: ",
             key.hex(), store.describe(), expected);
  std::fflush(stderr);
  std::string typed;
  std::getline(std::cin, typed);
  if (!confirmation_matches(typed, expected)) {
    return fail(ErrorCode::InvalidArgument, "not confirmed; nothing was retired");
  }
  return {};
}

Result<void> run_retire(const GlobalOptions& global, const KeyOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const KeyIdentity key, parse_identity(options.identity));
  // Refused before the store is opened: there is no one to ask.
  if (!options.yes && !stdin_is_terminal()) {
    return fail(ErrorCode::InvalidArgument,
                "budget retire needs confirmation: standard input is not a terminal, so pass "
                "--yes to retire without asking; nothing was retired");
  }
  CRATON_ASSIGN_OR_RETURN(const auto store, open_store(global));
  if (!options.before_first_use) {
    if (const Result<BudgetRecord> known = store->show(key); !known) {
      if (known.error().code() != ErrorCode::KeyNotFound) return std::unexpected(known.error());
      return fail(ErrorCode::KeyNotFound,
                  fmt::format("{}: no budget recorded for key {}: check the identity against "
                              "`budget list`, or pass --before-first-use to retire a key that "
                              "has not encrypted yet; nothing was retired",
                              store->describe(), key.hex()));
    }
  }
  if (!options.yes) CRATON_RETURN_IF_ERROR(ask_on_terminal(*store, key));
  CRATON_RETURN_IF_ERROR(store->retire(key));
  if (!options.json) return write_stdout(fmt::format("retired {}\n", key.hex()));
  JsonWriter json;
  json.begin_object().key("identity").value(key.hex()).key("retired").value(true).end_object();
  return write_stdout(json.str() + "\n");
}

}  // namespace

void add_budget_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  CLI::App* group = app.add_subcommand("budget", "see and retire durable GCM message budgets");
  group->require_subcommand(1);
  group->footer(kBudgetFooter);

  auto list_options = std::make_shared<ListOptions>();
  CLI::App* list = group->add_subcommand(
      "list", "every key's used/limit, last reservation time and host, and state");
  list->add_flag("--json", list_options->json, "print one JSON object");
  install_action(*list, global, action, list_options, run_list);

  auto show_options = std::make_shared<KeyOptions>();
  CLI::App* show = group->add_subcommand("show", "one key's budget");
  show->add_option("identity", show_options->identity, "the key's budget identity (64 hex digits)")
      ->required()
      ->type_name("IDENTITY");
  show->add_flag("--json", show_options->json, "print one JSON object");
  install_action(*show, global, action, show_options, run_show);

  auto retire_options = std::make_shared<KeyOptions>();
  CLI::App* retire =
      group->add_subcommand("retire", "stop a key from ever encrypting again (irreversible)");
  retire
      ->add_option("identity", retire_options->identity,
                   "the key's budget identity (64 hex digits)")
      ->required()
      ->type_name("IDENTITY");
  retire->add_flag("--yes", retire_options->yes, "do not ask for confirmation (scripts)");
  retire->add_flag("--json", retire_options->json, "print one JSON object");
  retire->add_flag("--before-first-use", retire_options->before_first_use,
                   "also retire an identity the store has no budget for yet");
  retire->footer(kRetireFooter);
  install_action(*retire, global, action, retire_options, run_retire);
}

}  // namespace craton::hsm::cli
