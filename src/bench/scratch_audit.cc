// SPDX-License-Identifier: Apache-2.0
// Making, verifying and removing the throwaway audit trail.
#include "bench/scratch_audit.h"

#include <craton/hsm/diagnostics.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>

#include <fmt/format.h>

#include "core/unique_fd.h"

namespace craton::hsm::bench {
namespace {

constexpr std::size_t kKeyBytes = 32;

HsmError unavailable(std::string_view what, const std::filesystem::path& path, int error) {
  return HsmError(ErrorCode::AuditUnavailable,
                  fmt::format("{} {}: {}", what, path.string(), errno_text(error)));
}

Result<void> write_key_file(const std::filesystem::path& path) {
  std::array<unsigned char, kKeyBytes> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return fail(ErrorCode::Internal, "RAND_bytes failed for the audit key");
  }
  const UniqueFd fd(
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return std::unexpected(unavailable("cannot create", path, errno));
  const ssize_t written = ::write(fd.get(), key.data(), key.size());
  const int error = errno;
  OPENSSL_cleanse(key.data(), key.size());
  if (written != static_cast<ssize_t>(key.size())) {
    return std::unexpected(unavailable("cannot write", path, error));
  }
  return {};
}

}  // namespace

ScratchAuditTrail::ScratchAuditTrail(std::filesystem::path directory, AuditConfig config)
    : directory_(std::move(directory)), config_(std::move(config)) {}

ScratchAuditTrail::~ScratchAuditTrail() {
  std::error_code error;
  std::filesystem::remove_all(directory_, error);
  if (error) {
    report_diagnostic(HsmError(ErrorCode::AuditUnavailable,
                               fmt::format("cannot remove the benchmark's audit trail {}: {}",
                                           directory_.string(), error.message())));
  }
}

Result<std::unique_ptr<ScratchAuditTrail>> ScratchAuditTrail::create(AuditDurability durability) {
  std::error_code error;
  const std::filesystem::path base = std::filesystem::temp_directory_path(error);
  if (error) return fail(ErrorCode::AuditUnavailable, "no temporary directory");
  std::string name = (base / "craton-bench-audit-XXXXXX").string();
  if (::mkdtemp(name.data()) == nullptr) {
    return std::unexpected(unavailable("cannot create", name, errno));
  }
  AuditConfig audit;
  audit.file = std::filesystem::path(name) / "audit.jsonl";
  audit.key_file = std::filesystem::path(name) / "audit.key";
  audit.durability = durability;
  // Owned from here on: the directory goes with the object, also when the key file fails.
  std::unique_ptr<ScratchAuditTrail> trail(new ScratchAuditTrail(name, std::move(audit)));
  CRATON_RETURN_IF_ERROR(write_key_file(*trail->config_.key_file));
  return trail;
}

Result<AuditVerifyReport> ScratchAuditTrail::verify() const {
  CRATON_ASSIGN_OR_RETURN(std::unique_ptr<AuditMac> mac,
                          make_key_file_audit_mac(*config_.key_file));
  const std::array<std::filesystem::path, 1> files{config_.file};
  return verify_audit_trail(files, *mac);
}

}  // namespace craton::hsm::bench
