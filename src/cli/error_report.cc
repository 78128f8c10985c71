// SPDX-License-Identifier: Apache-2.0
// The text and JSON forms of a command's error.
#include "cli/error_report.h"

#include <string_view>

#include <fmt/format.h>

namespace craton::hsm::cli {

bool json_requested(std::span<char* const> args) noexcept {
  for (const char* arg : args) {
    const std::string_view text(arg);
    if (text == "--") break;  // everything after is positional
    if (text == "--json") return true;
  }
  return false;
}

void write_error_json(JsonWriter& json, const HsmError& error) {
  json.begin_object();
  json.key("code").value(error_code_name(error.code()));
  if (const auto rv = error.rv()) {
    json.key("ckr").value(error.rv_name().empty() ? fmt::format("0x{:x}", *rv)
                                                  : std::string(error.rv_name()));
  }
  if (!error.function().empty()) json.key("function").value(error.function());
  json.key("message").value(error.message());
  json.end_object();
}

std::string render_error(const HsmError& error, bool json) {
  if (!json) return fmt::format("craton-hsm: error: {}\n", error);
  JsonWriter out;
  out.begin_object().key("error");
  write_error_json(out, error);
  out.end_object();
  return out.str() + "\n";
}

}  // namespace craton::hsm::cli
