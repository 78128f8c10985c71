// SPDX-License-Identifier: Apache-2.0
// The [audit] table of the configuration TOML into an AuditConfig.
#pragma once

#include <craton/hsm/audit.h>
#include <craton/hsm/error.h>

#include <filesystem>
#include <optional>

#include <toml++/toml.h>

namespace craton::hsm::config {

// Reads root["audit"] when present: unknown keys, wrong types, unknown enum spellings and
// out-of-range integers are ConfigInvalid "audit.<key>: ...". Relative `file` and `key_file`
// resolve against `base_dir`. The cross-field rules are validate()'s (check_audit).
[[nodiscard]] Result<std::optional<AuditConfig>> parse_audit_table(
    const toml::table& root, const std::filesystem::path& base_dir);

}  // namespace craton::hsm::config
