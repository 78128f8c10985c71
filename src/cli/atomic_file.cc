// SPDX-License-Identifier: Apache-2.0
// check_output_file and the temporary-file-and-rename write behind every --out.
#include "cli/atomic_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>

#include <fmt/format.h>

#include "core/unique_fd.h"

namespace craton::hsm::cli {
namespace {

namespace fs = std::filesystem;

fs::path directory_of(const fs::path& target) {
  return target.has_parent_path() ? target.parent_path() : fs::path(".");
}

HsmError io_error(std::string_view what, const fs::path& path, int error) {
  return HsmError(ErrorCode::Internal,
                  fmt::format("{} {:?} failed: {}", what, path.string(), errno_text(error)));
}

// ".<name>.craton-" and six random letters, so concurrent writers never share a temporary file
// and O_EXCL never meets a stale one twice.
fs::path temporary_name(const fs::path& target, int attempt) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::array<unsigned char, 6> noise{};
  if (::getrandom(noise.data(), noise.size(), 0) != static_cast<ssize_t>(noise.size())) {
    noise.fill(static_cast<unsigned char>(::getpid() + attempt));  // O_EXCL still protects
  }
  std::string suffix;
  for (const unsigned char byte : noise) suffix += kAlphabet[byte % kAlphabet.size()];
  return directory_of(target) / fmt::format(".{}.craton-{}", target.filename().string(), suffix);
}

// Removes the temporary file unless it was renamed into place.
class TemporaryFile {
 public:
  explicit TemporaryFile(fs::path path) : path_(std::move(path)) {}
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  [[nodiscard]] const fs::path& path() const noexcept { return path_; }
  void release() noexcept { path_.clear(); }

 private:
  fs::path path_;
};

Result<void> sync_directory(const fs::path& directory) {
  const UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || ::fsync(fd.get()) != 0) {
    return std::unexpected(io_error("syncing the directory", directory, errno));
  }
  return {};
}

}  // namespace

Result<void> write_all(int fd, ByteView data, std::string_view name) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t written = ::write(fd, data.data() + done, data.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      const int error = written < 0 ? errno : EIO;
      return fail(ErrorCode::Internal,
                  fmt::format("writing {} failed: {}", name, errno_text(error)));
    }
    done += static_cast<std::size_t>(written);
  }
  return {};
}

Result<void> check_output_file(const fs::path& target) {
  const fs::path directory = directory_of(target);
  struct stat info {};
  if (::stat(directory.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("--out {:?}: the directory {:?} does not exist", target.string(),
                            directory.string()));
  }
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("--out {:?}: cannot write in the directory {:?}: {}", target.string(),
                            directory.string(), errno_text(errno)));
  }
  if (::lstat(target.c_str(), &info) != 0) {
    if (errno == ENOENT) return {};
    return fail(ErrorCode::InvalidArgument,
                fmt::format("--out {:?}: {}", target.string(), errno_text(errno)));
  }
  if (S_ISLNK(info.st_mode)) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("--out {:?} is a symbolic link: refusing to write through it (name "
                            "the file itself)",
                            target.string()));
  }
  if (!S_ISREG(info.st_mode)) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("--out {:?} is not a regular file (for a pipe or device, redirect "
                            "standard output instead)",
                            target.string()));
  }
  return {};
}

Result<void> write_file(const fs::path& target, ByteView data, Sensitivity sensitivity) {
  CRATON_RETURN_IF_ERROR(check_output_file(target));
  const mode_t mode = sensitivity == Sensitivity::Secret ? 0600 : 0644;
  UniqueFd fd;
  fs::path name;
  for (int attempt = 0; attempt < 8 && !fd.valid(); ++attempt) {
    name = temporary_name(target, attempt);
    fd = UniqueFd(::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd.valid() && errno != EEXIST) break;
  }
  if (!fd.valid()) return std::unexpected(io_error("creating", name, errno));
  TemporaryFile temporary(name);
  CRATON_RETURN_IF_ERROR(write_all(fd.get(), data, fmt::format("{:?}", target.string())));
  // After a successful fsync the data is on disk: a failing close has nothing left to report.
  if (::fsync(fd.get()) != 0) return std::unexpected(io_error("syncing", target, errno));
  fd.reset();
  if (::rename(temporary.path().c_str(), target.c_str()) != 0) {
    return std::unexpected(io_error("renaming the new file to", target, errno));
  }
  temporary.release();
  return sync_directory(directory_of(target));
}

}  // namespace craton::hsm::cli
