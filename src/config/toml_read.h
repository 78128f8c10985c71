// SPDX-License-Identifier: Apache-2.0
// Typed reads of one TOML table's keys, each failing as ConfigInvalid naming the field.
#pragma once

#include <craton/hsm/error.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "config/rules.h"

namespace craton::hsm::config {

// "<field>: expected <expected>, got <the node's TOML type>".
[[nodiscard]] std::unexpected<HsmError> wrong_type(std::string_view field,
                                                   std::string_view expected,
                                                   const toml::node& node);

// The first key of `table` not in `known`, as "<prefix><key>: unknown key (did you mean ...?)".
[[nodiscard]] Result<void> check_known_keys(const toml::table& table,
                                            std::span<const std::string_view> known,
                                            std::string_view prefix);

// Each reads `key` from `table` (nullopt when absent); `field` names it in errors
// ("audit.file"). read_integer checks the range before the caller narrows the value.
[[nodiscard]] Result<std::optional<std::string>> read_string(const toml::table& table,
                                                             std::string_view key,
                                                             std::string_view field);
[[nodiscard]] Result<std::optional<bool>> read_bool(const toml::table& table, std::string_view key,
                                                    std::string_view field);
[[nodiscard]] Result<std::optional<std::int64_t>> read_integer(const toml::table& table,
                                                               std::string_view key,
                                                               std::string_view field,
                                                               IntRange range);

// A path value from the file: relative paths are made absolute against `base_dir` (the config
// file's directory), not against wherever the service happened to be started; left relative
// when base_dir is empty.
[[nodiscard]] std::filesystem::path path_value(const std::string& text,
                                               const std::filesystem::path& base_dir);

}  // namespace craton::hsm::config
