// SPDX-License-Identifier: Apache-2.0
// Temp directories, key files, trail readers and the switchable in-memory sink.
#include "audit_test_util.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/stat.h>

#include <gtest/gtest.h>

namespace craton::hsm::testing {

void write_file(const std::filesystem::path& path, std::string_view bytes, unsigned mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
  }
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
}

std::string write_key_file(const std::filesystem::path& path, std::size_t size) {
  std::string key(size, '\0');
  std::uint32_t x = 0x9e3779b9u;
  for (auto& c : key) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  write_file(path, key, 0600);
  return key;
}

std::unique_ptr<AuditMac> key_file_mac(const std::filesystem::path& key_file) {
  auto mac = make_key_file_audit_mac(key_file);
  if (!mac) {
    ADD_FAILURE() << mac.error().to_string();
    return nullptr;
  }
  return std::move(mac).value();
}

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_lines(const std::filesystem::path& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  write_file(path, text, 0600);
}

std::optional<std::string> field(std::string_view line, std::string_view name) {
  // Records are flat objects: a field starts right after '{' or ','.
  for (std::size_t at = line.find(name); at != std::string_view::npos;
       at = line.find(name, at + 1)) {
    const std::size_t open = at - 1;
    const std::size_t colon = at + name.size() + 1;
    if (at < 2 || line[open] != '"' || (line[open - 1] != '{' && line[open - 1] != ',') ||
        colon >= line.size() || line[colon - 1] != '"' || line[colon] != ':') {
      continue;
    }
    const std::string_view rest = line.substr(colon + 1);
    if (rest.starts_with('"')) {
      std::size_t end = 1;
      while (end < rest.size() && rest[end] != '"') end += rest[end] == '\\' ? 2 : 1;
      return std::string(rest.substr(1, end - 1));
    }
    return std::string(rest.substr(0, rest.find_first_of(",}")));
  }
  return std::nullopt;
}

AuditDir::AuditDir() : trail_(dir_.path() / "audit.jsonl"), key_(dir_.path() / "key") {
  write_key_file(key_);
}

AuditConfig AuditDir::config() const {
  AuditConfig config;
  config.file = trail_;
  config.key_file = key_;
  return config;
}

Result<std::unique_ptr<AuditLog>> AuditDir::try_open(const AuditConfig& config) const {
  return AuditLog::open(config, key_file_mac(key_), sample_origin());
}

std::unique_ptr<AuditLog> AuditDir::open(const AuditConfig& config,
                                         std::unique_ptr<AuditSink> sink) const {
  auto log = AuditLog::open(config, key_file_mac(key_), sample_origin(), std::move(sink));
  if (!log) {
    ADD_FAILURE() << log.error().to_string();
    return nullptr;
  }
  return std::move(log).value();
}

AuditVerifyReport AuditDir::verify() const {
  return verify(trail_files(trail_));
}

AuditVerifyReport AuditDir::verify(const std::vector<std::filesystem::path>& files) const {
  auto mac = key_file_mac(key_);
  auto report = verify_audit_trail(files, *mac);
  if (!report) {
    ADD_FAILURE() << report.error().to_string();
    return {};
  }
  return *report;
}

AuditEvent sample_event(std::string detail) {
  AuditEvent event;
  event.operation = AuditOperation::Sign;
  event.mechanism = "CKM_ECDSA";
  event.input_bytes = 32;
  event.output_bytes = 64;
  event.duration = std::chrono::microseconds(15);
  event.detail = std::move(detail);
  return event;
}

AuditOrigin sample_origin() {
  return AuditOrigin{"pkcs11:SoftHSM", "audit-token", "0123", 7};
}

std::vector<std::filesystem::path> trail_files(const std::filesystem::path& trail) {
  std::vector<std::filesystem::path> rotated;
  const std::string prefix = trail.filename().string() + ".0";
  for (const auto& entry : std::filesystem::directory_iterator(trail.parent_path())) {
    if (entry.path().filename().string().starts_with(prefix)) rotated.push_back(entry.path());
  }
  std::sort(rotated.begin(), rotated.end());
  rotated.push_back(trail);
  return rotated;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return condition();
}

std::vector<std::string> MemorySinkState::snapshot() {
  std::lock_guard lock(mu);
  return lines;
}

namespace {

class MemorySink final : public AuditSink {
 public:
  explicit MemorySink(std::shared_ptr<MemorySinkState> state) : state_(std::move(state)) {}

  Result<void> append(std::span<const std::string> lines) override {
    while (state_->blocked.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (state_->failing.load()) {
      ++state_->failed_appends;
      return fail(ErrorCode::AuditUnavailable, "memory sink: disk on fire");
    }
    std::lock_guard lock(state_->mu);
    state_->lines.insert(state_->lines.end(), lines.begin(), lines.end());
    return {};
  }
  Result<void> sync() override {
    ++state_->syncs;
    return {};
  }

 private:
  std::shared_ptr<MemorySinkState> state_;
};

}  // namespace

std::unique_ptr<AuditSink> memory_sink(std::shared_ptr<MemorySinkState> state) {
  return std::make_unique<MemorySink>(std::move(state));
}

}  // namespace craton::hsm::testing
