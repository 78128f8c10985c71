// SPDX-License-Identifier: Apache-2.0
// PQconninfoParse over the [budget] url: refuse passwords, keep the rest for describe().
#include "budget/conninfo.h"

#include <memory>
#include <string>

#include <libpq-fe.h>

namespace craton::hsm::budget {
namespace {

struct ConninfoFree {
  void operator()(PQconninfoOption* options) const noexcept { PQconninfoFree(options); }
};

}  // namespace

Result<std::string> conninfo_without_secrets(std::string_view url) {
  const std::string text(url);
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoFree> options(PQconninfoParse(text.c_str(), &error));
  PQfreemem(error);
  if (!options) {
    return fail(ErrorCode::ConfigInvalid,
                "budget.url: not a libpq connection string (keyword=value pairs or a "
                "postgresql:// URI)");
  }
  std::string described;
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view keyword = option->keyword;
    if (keyword == "password") {
      return fail(ErrorCode::ConfigInvalid,
                  "budget.url: must not contain a password; use budget.password_env or "
                  "budget.password_file");
    }
    // "D" options (debug) and the password are the ones libpq itself hides from display.
    if (std::string_view(option->dispchar) == "*") continue;
    if (!described.empty()) described += ' ';
    described += keyword;
    described += '=';
    described += option->val;
  }
  return described;
}

}  // namespace craton::hsm::budget
