// SPDX-License-Identifier: Apache-2.0
// UniqueFd and errno_text.
#include "core/unique_fd.h"

#include <craton/hsm/diagnostics.h>
#include <craton/hsm/error.h>

#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <fmt/format.h>

namespace craton::hsm {

std::string errno_text(int error) {
  return std::generic_category().message(error);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void UniqueFd::reset() noexcept {
  if (fd_ < 0) return;
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) {
    const int error = errno;
    report_diagnostic(HsmError(ErrorCode::Internal,
                               fmt::format("close(fd {}) failed: {}", fd, errno_text(error))));
  }
}

std::expected<std::size_t, int> read_into(const UniqueFd& fd, std::span<std::byte> buffer) {
  std::size_t total = 0;
  while (total < buffer.size()) {
    const ssize_t n = ::read(fd.get(), buffer.data() + total, buffer.size() - total);
    if (n == 0) break;
    if (n < 0) {
      const int error = errno;
      if (error == EINTR) continue;
      return std::unexpected(error);
    }
    total += static_cast<std::size_t>(n);
  }
  return total;
}

}  // namespace craton::hsm
