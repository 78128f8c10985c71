// SPDX-License-Identifier: Apache-2.0
// POSIX open/fstat/read for the config's own small files; no exceptions, errno kept as text.
#include "config/posix_file.h"

#include <craton/hsm/diagnostics.h>

#include <cerrno>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace craton::hsm::config {
Result<RegularFile> open_regular_file(std::string_view field, const std::filesystem::path& path,
                                      Symlinks symlinks) {
  // O_NONBLOCK so that opening a FIFO cannot block; it has no effect on regular files.
  int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (symlinks == Symlinks::Refuse) flags |= O_NOFOLLOW;
  const int raw = ::open(path.c_str(), flags);
  if (raw < 0) {
    const int error = errno;
    if (error == ELOOP && symlinks == Symlinks::Refuse) {
      return fail(
          ErrorCode::ConfigInvalid,
          fmt::format("{}: {}: is a symbolic link; name the file itself", field, path.string()));
    }
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("{}: cannot open {}: {}", field, path.string(), errno_text(error)));
  }
  UniqueFd fd(raw);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    const int error = errno;
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("{}: cannot stat {}: {}", field, path.string(), errno_text(error)));
  }
  if (!S_ISREG(info.st_mode)) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("{}: {}: not a regular file", field, path.string()));
  }
  return RegularFile{std::move(fd), static_cast<std::uint32_t>(info.st_mode & 07777)};
}

Result<std::size_t> read_up_to(std::string_view field, const std::filesystem::path& path,
                               const UniqueFd& fd, std::span<char> buffer) {
  const auto read = read_into(fd, std::as_writable_bytes(buffer));
  if (!read) {
    return fail(ErrorCode::ConfigInvalid, fmt::format("{}: cannot read {}: {}", field,
                                                      path.string(), errno_text(read.error())));
  }
  return *read;
}

}  // namespace craton::hsm::config
