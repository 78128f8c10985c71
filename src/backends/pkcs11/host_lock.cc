// SPDX-License-Identifier: Apache-2.0
// The per-token creation lock file and its private directory.
#include "backends/pkcs11/host_lock.h"

#include <craton/hsm/diagnostics.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>

#include "core/hex.h"

namespace craton::hsm::pkcs11 {
namespace {

// The directory exists (made now if missing), is a directory, belongs to us and admits no
// one else; the reason it is unusable otherwise.
std::string unusable(const std::string& directory) {
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    return fmt::format("cannot create {}: {}", directory, errno_text(errno));
  }
  struct stat info {};
  if (::lstat(directory.c_str(), &info) != 0) {
    return fmt::format("cannot inspect {}: {}", directory, errno_text(errno));
  }
  if (!S_ISDIR(info.st_mode)) return fmt::format("{} is not a directory", directory);
  if (info.st_uid != ::geteuid()) return fmt::format("{} belongs to another user", directory);
  if ((info.st_mode & 077) != 0) {
    return fmt::format("{} is open to other users (mode {:o})", directory, info.st_mode & 0777);
  }
  return {};
}

}  // namespace

std::string HostCreationLock::directory() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime != nullptr && runtime[0] == '/') return fmt::format("{}/craton-hsm", runtime);
  return fmt::format("/tmp/craton-hsm-{}", ::geteuid());
}

HostCreationLock HostCreationLock::unlocked(std::string why) {
  report_diagnostic(HsmError(
      ErrorCode::ConfigInvalid,
      fmt::format("resident keys are created without the host-wide lock ({}); only the recheck "
                  "after creating guards against another local process",
                  why)));
  return HostCreationLock(UniqueFd{});
}

HostCreationLock HostCreationLock::acquire(std::string_view token_serial) {
  const std::string dir = directory();
  if (std::string why = unusable(dir); !why.empty()) return unlocked(std::move(why));
  // Hex, so that no serial can name a path outside the directory.
  std::string path = fmt::format("{}/create-{}.lock", dir, to_hex(token_serial));
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return unlocked(fmt::format("cannot open {}: {}", path, errno_text(errno)));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return unlocked(fmt::format("cannot lock {}: {}", path, errno_text(errno)));
  }
  return HostCreationLock(std::move(fd));
}

}  // namespace craton::hsm::pkcs11
