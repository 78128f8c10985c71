// SPDX-License-Identifier: Apache-2.0
// The human-readable layout of `craton-hsm info`.
#include "cli/info_render.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/table.h"

namespace craton::hsm::cli {
namespace {

// Counts the token reports as "unavailable" or "effectively infinite" are nullopt, so "-" reads
// as "not reported or unlimited" (SoftHSM2 reports every session count that way).
std::string count_text(const std::optional<std::uint64_t>& count) {
  return count ? fmt::format("{}", *count) : "-";
}

std::string sessions_text(const Pkcs11TokenInfo& token) {
  return fmt::format("{} open / {} max (read-write: {} open / {} max)",
                     count_text(token.session_count), count_text(token.max_session_count),
                     count_text(token.rw_session_count), count_text(token.max_rw_session_count));
}

// An uninitialised token has blank label and serial; say so rather than print nothing.
std::string or_none(const std::string& text) {
  return text.empty() ? std::string("(none)") : text;
}

std::string joined(const std::vector<std::string_view>& names) {
  return names.empty() ? std::string("-") : fmt::format("{}", fmt::join(names, " "));
}

void append_library(std::string& out, const InfoReport& report) {
  out += "Library\n";
  Table table({{""}, {""}});
  table.add_row({"manufacturer", report.library.manufacturer});
  table.add_row({"description", report.library.description});
  table.add_row({"library version", version_string(report.library.library_version)});
  table.add_row({"cryptoki version", version_string(report.library.cryptoki_version)});
  table.add_row({"module path", report.module_path.string()});
  out += table.render("  ");
}

void append_tokens(std::string& out, const InfoReport& report) {
  out += fmt::format("\nTokens ({} present{})\n", report.tokens.size(),
                     report.selected_slot ? "; * = selected" : "");
  if (report.tokens.empty()) out += "  none (initialise one with the vendor's tool)\n";
  for (const auto& token : report.tokens) {
    const bool selected = report.selected_slot == token.slot_id;
    out += fmt::format("{} slot {}\n", selected ? "*" : " ", token.slot_id);
    Table table({{""}, {""}});
    table.add_row({"label", or_none(token.label)});
    table.add_row({"serial", or_none(token.serial)});
    table.add_row({"model", token.model});
    table.add_row({"manufacturer", token.manufacturer});
    // What p11tool --list-tokens prints: usable as token_uri in a config.
    table.add_row({"uri", token_uri_of(token).to_string()});
    table.add_row({"flags", joined(token_flag_names(token.flags))});
    table.add_row({"sessions", sessions_text(token)});
    out += table.render("    ");
  }
}

void append_mechanisms(std::string& out, const InfoReport& report) {
  if (!report.selected_slot) {
    out +=
        "\nNo token selected: add --token-label LABEL, --token-serial SERIAL or --slot N (or "
        "set one in the --config file) to list its mechanisms.\n";
    return;
  }
  out += fmt::format("\nMechanisms of slot {} ({})\n", *report.selected_slot,
                     report.mechanisms.size());
  // Key sizes are in bits or bytes depending on the mechanism (PKCS#11 v2.40 §5.5).
  Table table({{"MECHANISM"}, {"MIN KEY", Align::Right}, {"MAX KEY", Align::Right}, {"FLAGS"}});
  for (const auto& mechanism : report.mechanisms) {
    table.add_row({mechanism.name, fmt::format("{}", mechanism.min_key_size),
                   fmt::format("{}", mechanism.max_key_size),
                   joined(mechanism_flag_names(mechanism.flags))});
  }
  out += table.render("  ");
}

void append_capabilities(std::string& out, const InfoReport& report) {
  if (!report.capabilities) return;
  const TokenCapabilities& capabilities = *report.capabilities;
  out += fmt::format(
      "\nCapabilities of token '{}' (token: its own mechanism; host-prehash: "
      "hashed here, signed on the token)\n",
      capabilities.token_label);
  Table table({{"SCHEME"}, {"OPERATION"}, {"SUPPORTED"}, {"HOW"}, {"MECHANISM"}});
  std::vector<std::string_view> reasons;
  for (const SchemeCapability& row : capabilities.schemes) {
    table.add_row({row.scheme, row.operation, row.supported ? "yes" : "no",
                   std::string(capability_how_name(row.how)),
                   row.mechanism.empty() ? std::string("-") : row.mechanism});
    if (!row.supported) reasons.push_back(row.reason);
  }
  out += table.render("  ");
  if (!reasons.empty()) {
    out += "\nUnsupported, and why\n";
    for (const std::string_view reason : reasons) out += fmt::format("  {}\n", reason);
  }
  out += fmt::format("\nSession objects (CKA_TOKEN=false): {}{}\n", capabilities.session_objects,
                     capabilities.session_objects_detail.empty()
                         ? std::string()
                         : fmt::format(" ({})", capabilities.session_objects_detail));
  out += fmt::format("\nVendor profile: {} ({}{}; docs/vendors/)\n", capabilities.vendor_profile,
                     capabilities.vendor_profile_source,
                     capabilities.vendor_profile_overridden ? ", overridden" : "");
  if (capabilities.vendor_quirks.empty()) {
    out += "  quirks: none (the PKCS#11 v2.40 behaviour)\n";
  } else {
    for (const std::string& quirk : capabilities.vendor_quirks) {
      out += fmt::format("  quirk: {}\n", quirk);
    }
  }
  out += fmt::format("\nKey import (import_method = \"{}\"; docs/import-by-unwrap.md)\n",
                     capabilities.import_method);
  out += fmt::format("  secret keys: {}\n  private keys: {}\n", capabilities.secret_key_import,
                     capabilities.private_key_import);
}

}  // namespace

std::string render_info_text(const InfoReport& report) {
  std::string out;
  append_library(out, report);
  append_tokens(out, report);
  append_mechanisms(out, report);
  append_capabilities(out, report);
  return out;
}

}  // namespace craton::hsm::cli
