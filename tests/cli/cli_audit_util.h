// SPDX-License-Identifier: Apache-2.0
// Helpers for the CLI's audit-trail tests: a configuration with an [audit] table, its chain
// key, running craton-hsm with it, and reading the trail.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {

inline std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline void write_lines(const std::filesystem::path& file, const std::vector<std::string>& lines) {
  std::ofstream out(file, std::ios::trunc);
  for (const std::string& line : lines) out << line << '\n';
}

// Records of `op` in `trail` that say how it ended (write-ahead intents left out).
inline std::size_t records_of(const std::filesystem::path& trail, std::string_view op) {
  std::size_t count = 0;
  const std::string needle = fmt::format("\"op\":\"{}\"", op);
  for (const std::string& line : read_lines(trail)) {
    count += line.find(needle) != std::string::npos &&
             line.find("\"outcome\":\"intent\"") == std::string::npos;
  }
  return count;
}

// A config with an [audit] table writing `dir`/audit.jsonl; `key` is `key_file = "..."` or
// `key_label = "..."`, `extra` more lines of the table ("durability = ...").
inline std::filesystem::path audited_config(const TempDir& dir, std::string_view key,
                                            std::string_view extra = "") {
  return dir.write("craton.toml", fmt::format("library_path = \"{}\"\n"
                                              "token_label = \"{}\"\n"
                                              "[audit]\n"
                                              "file = \"{}\"\n"
                                              "{}\n{}\n",
                                              kModulePath, kTokenLabel,
                                              (dir.path() / "audit.jsonl").string(), key, extra));
}

inline std::filesystem::path key_file(const TempDir& dir) {
  return dir.write("audit.key", std::string(32, '\x5a'));  // mode 0600 by default
}

// Runs with the configuration from CRATON_HSM_CONFIG, as the README's cookbook does; `env` adds
// assignments (an LD_PRELOAD, say).
inline CommandResult run_configured(const std::filesystem::path& config, std::string_view args,
                                    std::string_view env = "") {
  return run_cli(args,
                 fmt::format("{} CRATON_HSM_CONFIG='{}' {}", pin_env(), config.string(), env));
}

}  // namespace craton::hsm::testing
