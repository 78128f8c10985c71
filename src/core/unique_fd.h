// SPDX-License-Identifier: Apache-2.0
// UniqueFd: the one owner of a POSIX file descriptor (config files, PIN files, the audit
// trail), and errno as text for the messages around it.
#pragma once

#include <cstddef>
#include <expected>
#include <span>
#include <string>
#include <utility>

namespace craton::hsm {

// strerror-style text for `error` (thread-safe, unlike strerror).
[[nodiscard]] std::string errno_text(int error);

// Owns one file descriptor; the destructor closes it and reports a failed close through
// report_diagnostic. Move-only; not thread-safe.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  void reset() noexcept;

 private:
  int fd_ = -1;
};

// Reads until end of file or until `buffer` is full, retrying interrupted reads: the number of
// bytes read, or the errno of the failed read (callers word the error for their file).
[[nodiscard]] std::expected<std::size_t, int> read_into(const UniqueFd& fd,
                                                        std::span<std::byte> buffer);

}  // namespace craton::hsm
