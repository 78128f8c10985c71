// SPDX-License-Identifier: Apache-2.0
// Reads the [audit] table; the schema is in toml_parse.cc with the rest of the file's.
#include "config/toml_audit.h"

#include <array>
#include <cstdint>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "config/rules.h"
#include "config/toml_read.h"

namespace craton::hsm::config {
namespace {

constexpr std::array<std::string_view, 9> kAuditKeys{
    "file",           "key_file",    "key_label",    "durability",      "on_failure",
    "queue_capacity", "max_wait_ms", "rotate_bytes", "lock_timeout_ms",
};

constexpr IntRange kRotateBytesRange{0, std::numeric_limits<std::int64_t>::max()};

template <typename Enum>
Result<std::optional<Enum>> read_enum(const toml::table& table, std::string_view key,
                                      std::optional<Enum> (*from_name)(std::string_view) noexcept,
                                      std::string_view choices) {
  const std::string field = fmt::format("audit.{}", key);
  CRATON_ASSIGN_OR_RETURN(const auto text, read_string(table, key, field));
  if (!text) return std::optional<Enum>();
  const std::optional<Enum> value = from_name(*text);
  if (!value) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("{}: must be one of {}, got {:?}", field, choices, *text));
  }
  return value;
}

}  // namespace

Result<std::optional<AuditConfig>> parse_audit_table(const toml::table& root,
                                                     const std::filesystem::path& base_dir) {
  const toml::node* node = root.get("audit");
  if (node == nullptr) return std::optional<AuditConfig>();
  const toml::table* table = node->as_table();
  if (table == nullptr) return wrong_type("audit", "a table ([audit])", *node);
  CRATON_RETURN_IF_ERROR(check_known_keys(*table, kAuditKeys, "audit."));

  AuditConfig audit;
  CRATON_ASSIGN_OR_RETURN(const auto file, read_string(*table, "file", "audit.file"));
  if (file) audit.file = path_value(*file, base_dir);
  CRATON_ASSIGN_OR_RETURN(const auto key_file, read_string(*table, "key_file", "audit.key_file"));
  if (key_file) audit.key_file = path_value(*key_file, base_dir);
  CRATON_ASSIGN_OR_RETURN(audit.key_label, read_string(*table, "key_label", "audit.key_label"));

  CRATON_ASSIGN_OR_RETURN(const auto durability,
                          read_enum<AuditDurability>(*table, "durability", &durability_from_name,
                                                     "per_record, per_batch, none"));
  if (durability) audit.durability = *durability;
  CRATON_ASSIGN_OR_RETURN(
      const auto on_failure,
      read_enum<AuditFailurePolicy>(*table, "on_failure", &failure_policy_from_name,
                                    "fail_closed, fail_open"));
  if (on_failure) audit.on_failure = *on_failure;

  CRATON_ASSIGN_OR_RETURN(
      const auto capacity,
      read_integer(*table, "queue_capacity", "audit.queue_capacity", kAuditQueueCapacityRange));
  if (capacity) audit.queue_capacity = static_cast<std::size_t>(*capacity);
  CRATON_ASSIGN_OR_RETURN(
      const auto max_wait,
      read_integer(*table, "max_wait_ms", "audit.max_wait_ms", kAuditMaxWaitMsRange));
  if (max_wait) audit.max_wait = std::chrono::milliseconds(*max_wait);
  CRATON_ASSIGN_OR_RETURN(const auto rotate, read_integer(*table, "rotate_bytes",
                                                          "audit.rotate_bytes", kRotateBytesRange));
  if (rotate) audit.rotate_bytes = static_cast<std::uint64_t>(*rotate);
  CRATON_ASSIGN_OR_RETURN(
      const auto lock_timeout,
      read_integer(*table, "lock_timeout_ms", "audit.lock_timeout_ms", kAuditLockTimeoutMsRange));
  if (lock_timeout) audit.lock_timeout = std::chrono::milliseconds(*lock_timeout);
  return std::optional<AuditConfig>(std::move(audit));
}

}  // namespace craton::hsm::config
