// SPDX-License-Identifier: Apache-2.0
// The per-process scratch directory of the file-reading harnesses.
#include "support/scratch_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>

namespace craton::hsm::fuzz {
namespace {

[[noreturn]] void harness_broken(const char* what, const std::filesystem::path& path) {
  std::perror(what);
  std::fprintf(stderr, "fuzz harness: cannot prepare %s\n", path.c_str());
  std::abort();
}

}  // namespace

const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/craton-fuzz-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) harness_broken("mkdtemp", pattern);
    return std::filesystem::path(pattern);
  }();
  return dir;
}

std::filesystem::path write_private_file(std::string_view name, std::string_view content) {
  auto path = scratch_dir() / name;
  // Unlink first: the code under test may have left the file with other permissions, or a
  // lock on the old inode.
  ::unlink(path.c_str());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) harness_broken("open", path);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) harness_broken("write", path);
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return path;
}

void remove_file(std::string_view name) {
  std::error_code ignored;
  std::filesystem::remove(scratch_dir() / name, ignored);
}

}  // namespace craton::hsm::fuzz
