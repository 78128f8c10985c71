// SPDX-License-Identifier: Apache-2.0
// A throwaway audit trail for measuring the audited backend: a private temporary directory
// with a fresh key file and the trail, removed with everything in it when done.
#pragma once

#include <craton/hsm/audit.h>
#include <craton/hsm/config.h>
#include <craton/hsm/error.h>

#include <filesystem>
#include <memory>

namespace craton::hsm::bench {

// Owns a directory made by mkdtemp (mode 0700) under the system temporary directory, holding
// `audit.key` (32 random bytes, mode 0600) and the trail `audit.jsonl`. The benchmark never
// writes into a configured trail: an operator's chain is not the place for millions of
// benchmark records. Not thread-safe; the destructor removes the directory (and reports a
// failure to do so).
class ScratchAuditTrail {
 public:
  // Errors: AuditUnavailable when the directory or the key file cannot be made.
  static Result<std::unique_ptr<ScratchAuditTrail>> create(AuditDurability durability);
  ScratchAuditTrail(const ScratchAuditTrail&) = delete;
  ScratchAuditTrail& operator=(const ScratchAuditTrail&) = delete;
  ~ScratchAuditTrail();

  // The [audit] settings of the trail: file, key_file, `durability`, the defaults otherwise.
  [[nodiscard]] const AuditConfig& config() const noexcept { return config_; }
  // Checks the chain of the trail; call after every backend writing to it has closed.
  // Errors: those of verify_audit_trail and make_key_file_audit_mac.
  [[nodiscard]] Result<AuditVerifyReport> verify() const;

 private:
  ScratchAuditTrail(std::filesystem::path directory, AuditConfig config);
  std::filesystem::path directory_;
  AuditConfig config_;
};

}  // namespace craton::hsm::bench
