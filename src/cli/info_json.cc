// SPDX-License-Identifier: Apache-2.0
// The --json layout of `craton-hsm info`; key names are an interface scripts depend on.
#include "cli/info_render.h"

#include <string_view>
#include <vector>

#include "cli/json_writer.h"

namespace craton::hsm::cli {
namespace {

void write_names(JsonWriter& json, const std::vector<std::string_view>& names) {
  json.begin_array();
  for (const std::string_view name : names) json.value(name);
  json.end_array();
}

void write_library(JsonWriter& json, const InfoReport& report) {
  json.key("library").begin_object();
  json.key("manufacturer").value(report.library.manufacturer);
  json.key("description").value(report.library.description);
  json.key("library_version").value(version_string(report.library.library_version));
  json.key("cryptoki_version").value(version_string(report.library.cryptoki_version));
  json.key("module_path").value(report.module_path.string());
  json.end_object();
}

void write_token(JsonWriter& json, const Pkcs11TokenInfo& token, bool selected) {
  json.begin_object();
  json.key("slot_id").value(token.slot_id);
  json.key("selected").value(selected);
  json.key("label").value(token.label);
  json.key("serial").value(token.serial);
  json.key("model").value(token.model);
  json.key("manufacturer").value(token.manufacturer);
  json.key("uri").value(token_uri_of(token).to_string());
  json.key("flags");
  write_names(json, token_flag_names(token.flags));
  // null: the token reported "unavailable" or "effectively infinite".
  json.key("session_count").value(token.session_count);
  json.key("max_session_count").value(token.max_session_count);
  json.key("rw_session_count").value(token.rw_session_count);
  json.key("max_rw_session_count").value(token.max_rw_session_count);
  json.end_object();
}

void write_mechanism(JsonWriter& json, const Pkcs11MechanismInfo& mechanism) {
  json.begin_object();
  json.key("name").value(mechanism.name);
  json.key("type").value(mechanism.type);
  json.key("min_key_size").value(mechanism.min_key_size);
  json.key("max_key_size").value(mechanism.max_key_size);
  json.key("flags");
  write_names(json, mechanism_flag_names(mechanism.flags));
  json.end_object();
}

// null for an empty text: "no mechanism", "no reason".
void value_or_null(JsonWriter& json, const std::string& text) {
  if (text.empty()) {
    json.null();
  } else {
    json.value(text);
  }
}

void write_capabilities(JsonWriter& json, const TokenCapabilities& capabilities) {
  json.begin_object();
  json.key("token_label").value(capabilities.token_label);
  json.key("token_manufacturer").value(capabilities.token_manufacturer);
  json.key("session_objects").value(capabilities.session_objects);
  json.key("session_objects_detail");
  value_or_null(json, capabilities.session_objects_detail);
  json.key("vendor_profile").begin_object();
  json.key("name").value(capabilities.vendor_profile);
  json.key("source").value(capabilities.vendor_profile_source);
  json.key("overridden").value(capabilities.vendor_profile_overridden);
  json.key("quirks").begin_array();
  for (const std::string& quirk : capabilities.vendor_quirks) json.value(quirk);
  json.end_array();
  json.end_object();
  json.key("import").begin_object();
  json.key("method").value(capabilities.import_method);
  json.key("secret_keys").value(capabilities.secret_key_import);
  json.key("private_keys").value(capabilities.private_key_import);
  json.end_object();
  json.key("schemes").begin_array();
  for (const SchemeCapability& row : capabilities.schemes) {
    json.begin_object();
    json.key("scheme").value(row.scheme);
    json.key("operation").value(row.operation);
    json.key("supported").value(row.supported);
    json.key("how").value(capability_how_name(row.how));
    json.key("mechanism");
    value_or_null(json, row.mechanism);
    json.key("reason");
    value_or_null(json, row.reason);
    json.end_object();
  }
  json.end_array();
  json.end_object();
}

}  // namespace

std::string render_info_json(const InfoReport& report) {
  JsonWriter json;
  json.begin_object();
  write_library(json, report);
  json.key("tokens").begin_array();
  for (const auto& token : report.tokens) {
    write_token(json, token, report.selected_slot == token.slot_id);
  }
  json.end_array();
  json.key("selected_slot").value(report.selected_slot);
  json.key("mechanisms");
  if (report.selected_slot) {
    json.begin_array();
    for (const auto& mechanism : report.mechanisms) write_mechanism(json, mechanism);
    json.end_array();
  } else {
    json.null();
  }
  json.key("capabilities");
  if (report.capabilities) {
    write_capabilities(json, *report.capabilities);
  } else {
    json.null();
  }
  json.end_object();
  return json.str() + "\n";
}

}  // namespace craton::hsm::cli
