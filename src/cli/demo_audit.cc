// SPDX-License-Identifier: Apache-2.0
// DemoAuditTrail: the demo's trail directory, its chain key, and the closing verification.
#include "cli/demo_audit.h"

#include <craton/hsm/secret.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <system_error>

#include <fmt/format.h>
#include <openssl/rand.h>

#include "cli/io.h"

namespace craton::hsm::cli {
namespace {

constexpr std::size_t kKeyBytes = 32;

Result<std::filesystem::path> make_temporary_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      fmt::format("{}/craton-demo-audit-XXXXXX", tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
  if (::mkdtemp(pattern.data()) == nullptr) {
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("cannot create a temporary directory for the demo's audit trail: {}",
                            std::strerror(errno)));
  }
  return std::filesystem::path(pattern);
}

Result<void> write_fresh_key(const std::filesystem::path& key_file) {
  SecretBytes key = SecretBytes::zeroed(kKeyBytes);
  if (RAND_bytes(key.expose_mut().data(), static_cast<int>(key.size())) != 1) {
    return fail(ErrorCode::AuditUnavailable, "no random bytes for the demo's audit key");
  }
  return write_file(key_file, key.expose(), Sensitivity::Secret);
}

}  // namespace

DemoAuditTrail::DemoAuditTrail(std::filesystem::path dir, bool temporary)
    : dir_(std::move(dir)),
      file_(dir_ / "audit.jsonl"),
      key_file_(dir_ / "audit.key"),
      temporary_(temporary) {}

DemoAuditTrail::DemoAuditTrail(DemoAuditTrail&& other) noexcept
    : dir_(std::move(other.dir_)),
      file_(std::move(other.file_)),
      key_file_(std::move(other.key_file_)),
      temporary_(std::exchange(other.temporary_, false)) {}

DemoAuditTrail::~DemoAuditTrail() {
  if (!temporary_) return;
  std::error_code ignored;  // best effort: the directory is ours and under $TMPDIR
  std::filesystem::remove_all(dir_, ignored);
}

Result<DemoAuditTrail> DemoAuditTrail::create(std::optional<std::filesystem::path> dir) {
  if (!dir) {
    CRATON_ASSIGN_OR_RETURN(std::filesystem::path temporary, make_temporary_dir());
    DemoAuditTrail trail(std::move(temporary), true);
    CRATON_RETURN_IF_ERROR(write_fresh_key(trail.key_file_));
    return trail;
  }
  std::error_code error;
  std::filesystem::create_directories(*dir, error);
  if (error) {
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("--audit-dir {:?}: {}", dir->string(), error.message()));
  }
  DemoAuditTrail trail(std::move(*dir), false);
  // An existing key continues the existing chain; make_key_file_audit_mac checks its mode.
  if (!std::filesystem::exists(trail.key_file_)) {
    CRATON_RETURN_IF_ERROR(write_fresh_key(trail.key_file_));
  }
  return trail;
}

AuditConfig DemoAuditTrail::config() const {
  AuditConfig config;
  config.file = file_;
  config.key_file = key_file_;
  return config;
}

Result<std::uint64_t> verify_trail_file(const std::filesystem::path& file,
                                        const std::filesystem::path& key_file) {
  CRATON_ASSIGN_OR_RETURN(const std::unique_ptr<AuditMac> mac, make_key_file_audit_mac(key_file));
  const std::array<std::filesystem::path, 1> files{file};
  CRATON_ASSIGN_OR_RETURN(const AuditVerifyReport report, verify_audit_trail(files, *mac));
  if (!report.intact) {
    return fail(
        ErrorCode::AuthenticationFailed,
        fmt::format("audit trail broken: {}:{}: {}", file.string(), report.line, report.problem));
  }
  return report.records;
}

}  // namespace craton::hsm::cli
