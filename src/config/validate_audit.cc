// SPDX-License-Identifier: Apache-2.0
// The [audit] rules: where the trail goes, which key chains it, and the writer's bounds.
#include <fmt/format.h>

#include "config/rules.h"
#include "config/validate_parts.h"

namespace craton::hsm::config {

Result<void> check_audit(const AuditConfig& audit) {
  if (audit.file.empty()) {
    return fail(ErrorCode::ConfigInvalid,
                "audit.file: required when [audit] is present (path of the JSON Lines trail)");
  }
  // One chain key: with two, which one verifies the trail would depend on the reader.
  if (audit.key_file.has_value() == audit.key_label.has_value()) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("audit.key_file/audit.key_label: exactly one must be set, {}",
                            audit.key_file ? "both are" : "none is"));
  }
  if (audit.key_file && audit.key_file->empty()) {
    return fail(ErrorCode::ConfigInvalid, "audit.key_file: must not be empty when set");
  }
  if (audit.key_label && audit.key_label->empty()) {
    return fail(ErrorCode::ConfigInvalid, "audit.key_label: must not be empty when set");
  }
  if (audit.key_label && audit.key_label->size() > kKeyLabelMaxBytes) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("audit.key_label: must be at most {} bytes, got {}", kKeyLabelMaxBytes,
                            audit.key_label->size()));
  }
  CRATON_RETURN_IF_ERROR(check_range("audit.queue_capacity",
                                     static_cast<std::uint64_t>(audit.queue_capacity),
                                     kAuditQueueCapacityRange));
  CRATON_RETURN_IF_ERROR(
      check_range("audit.max_wait_ms", std::int64_t{audit.max_wait.count()}, kAuditMaxWaitMsRange));
  CRATON_RETURN_IF_ERROR(check_range(
      "audit.lock_timeout_ms", std::int64_t{audit.lock_timeout.count()}, kAuditLockTimeoutMsRange));
  if (audit.rotate_bytes != 0 && audit.rotate_bytes < kAuditRotateBytesMin) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("audit.rotate_bytes: must be 0 (never rotate) or at least {}, got {}",
                            kAuditRotateBytesMin, audit.rotate_bytes));
  }
  return {};
}

}  // namespace craton::hsm::config
