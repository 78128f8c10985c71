// SPDX-License-Identifier: Apache-2.0
// Helpers of the object tests: pkcs11-tool on the throwaway token, and list --json parsed.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {

using Json = nlohmann::json;

// OpenSC's pkcs11-tool, logged in to the throwaway token: objects made the way other tools
// make them.
inline void pkcs11_tool(std::string_view args) {
  const CommandResult result =
      run_command(fmt::format("pkcs11-tool --module '{}' --token-label {} --login --pin {} {} 2>&1",
                              kModulePath, kTokenLabel, kUserPin, args));
  ASSERT_EQ(result.exit_code, 0) << args << ": " << result.output;
}

// `list --json` of the token, parsed (standard output only).
inline Json list_json(std::string_view args = "") {
  const CommandResult listed = run_on_token(fmt::format("list --json {} 2>/dev/null", args));
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  return Json::parse(listed.output, nullptr, false);
}

// The listed key objects with this label.
inline std::vector<Json> keys_labelled(std::string_view label) {
  std::vector<Json> found;
  const Json listed = list_json();
  for (const Json& key : listed.at("keys")) {
    if (key.at("label") == label) found.push_back(key);
  }
  return found;
}
inline std::size_t count_labelled(std::string_view label) {
  return keys_labelled(label).size();
}

}  // namespace craton::hsm::testing
