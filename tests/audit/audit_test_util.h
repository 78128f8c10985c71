// SPDX-License-Identifier: Apache-2.0
// Shared fixtures for the audit tests: a private temp directory, key files, trail readers,
// and an in-memory sink whose failures the test switches on and off. Temp directories are
// support/softhsm_token.h's TempDir (inside the per-binary test world).
#pragma once

#include <craton/hsm/audit.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/softhsm_token.h"
#include "support/text.h"

namespace craton::hsm::testing {

// Writes `bytes` to `path` with `mode` (replacing any file there).
void write_file(const std::filesystem::path& path, std::string_view bytes, unsigned mode = 0600);

// A key file of `size` fixed pseudo-random bytes; returns those bytes.
std::string write_key_file(const std::filesystem::path& path, std::size_t size = 32);
// The MAC for a key file written by write_key_file (fails the test if it cannot be made).
[[nodiscard]] std::unique_ptr<AuditMac> key_file_mac(const std::filesystem::path& key_file);

// A temp directory with a key file "key" and a trail path "audit.jsonl" in it, and the
// helpers most tests need.
class AuditDir {
 public:
  AuditDir();
  [[nodiscard]] const std::filesystem::path& trail() const { return trail_; }
  [[nodiscard]] const std::filesystem::path& key() const { return key_; }
  [[nodiscard]] std::filesystem::path operator/(std::string_view name) const {
    return dir_.path() / name;
  }
  [[nodiscard]] AuditConfig config() const;
  // Opens the trail (or `sink`) under the directory's key; a failure fails the test.
  [[nodiscard]] std::unique_ptr<AuditLog> open(const AuditConfig& config,
                                               std::unique_ptr<AuditSink> sink = nullptr) const;
  [[nodiscard]] Result<std::unique_ptr<AuditLog>> try_open(const AuditConfig& config) const;
  // verify_audit_trail over the given files (default: the trail and its rotations).
  [[nodiscard]] AuditVerifyReport verify() const;
  [[nodiscard]] AuditVerifyReport verify(const std::vector<std::filesystem::path>& files) const;

 private:
  TempDir dir_;
  std::filesystem::path trail_;
  std::filesystem::path key_;
};

// Lines of a file, without their newlines.
[[nodiscard]] std::vector<std::string> read_lines(const std::filesystem::path& path);
void write_lines(const std::filesystem::path& path, const std::vector<std::string>& lines);

// The value of field `name` in a record line as written: a string's characters between its
// quotes (escapes left in place), or a number or true/false; nullopt when the record has no
// such field.
[[nodiscard]] std::optional<std::string> field(std::string_view line, std::string_view name);

// A sign event whose detail names it, so tests can find it in the trail.
[[nodiscard]] AuditEvent sample_event(std::string detail = {});
[[nodiscard]] AuditOrigin sample_origin();

// The trail file itself plus its rotated predecessors, in chain order.
[[nodiscard]] std::vector<std::filesystem::path> trail_files(const std::filesystem::path& trail);

// Polls `condition` every millisecond until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(5));

// What an in-memory sink saw; shared between the sink (owned by the log) and the test.
struct MemorySinkState {
  std::mutex mu;
  std::vector<std::string> lines;
  std::atomic<bool> failing{false};
  std::atomic<bool> blocked{false};  // append() spins until cleared
  std::atomic<int> failed_appends{0};
  std::atomic<int> syncs{0};
  [[nodiscard]] std::vector<std::string> snapshot();
};

// An AuditSink in memory: appends fail with "disk on fire" while state->failing is set.
[[nodiscard]] std::unique_ptr<AuditSink> memory_sink(std::shared_ptr<MemorySinkState> state);

}  // namespace craton::hsm::testing
