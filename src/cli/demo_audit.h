// SPDX-License-Identifier: Apache-2.0
// The demo's own audit trail: a fresh chain key and trail file, verified when the demo ends.
#pragma once

#include <craton/hsm/audit.h>
#include <craton/hsm/error.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace craton::hsm::cli {

// Owns the directory holding the trail ("audit.jsonl") and its key ("audit.key", 32 random
// bytes, mode 0600). A temporary directory is removed by the destructor; a directory the
// operator named is kept, and a key already in it is reused so the chain continues.
// Move-only. Not thread-safe.
class DemoAuditTrail {
 public:
  // `dir`: where to keep the files (created if missing), or nullopt for a fresh temporary
  // directory. Errors: AuditUnavailable when the directory or key cannot be created.
  [[nodiscard]] static Result<DemoAuditTrail> create(std::optional<std::filesystem::path> dir);

  DemoAuditTrail(DemoAuditTrail&& other) noexcept;
  DemoAuditTrail& operator=(DemoAuditTrail&&) = delete;
  DemoAuditTrail(const DemoAuditTrail&) = delete;
  DemoAuditTrail& operator=(const DemoAuditTrail&) = delete;
  ~DemoAuditTrail();

  // The [audit] settings that make the backend write this trail.
  [[nodiscard]] AuditConfig config() const;
  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }
  [[nodiscard]] bool temporary() const noexcept { return temporary_; }

 private:
  DemoAuditTrail(std::filesystem::path dir, bool temporary);

  std::filesystem::path dir_;
  std::filesystem::path file_;
  std::filesystem::path key_file_;
  bool temporary_ = false;
};

// Verifies a single-file trail chained under the key in `key_file`; returns its record count.
// Errors: those of verify_audit_trail, and AuthenticationFailed naming the first bad line when
// the chain is broken.
[[nodiscard]] Result<std::uint64_t> verify_trail_file(const std::filesystem::path& file,
                                                      const std::filesystem::path& key_file);

}  // namespace craton::hsm::cli
