// SPDX-License-Identifier: Apache-2.0
// The config's wording of core's checked open, and reads; no exceptions, errno kept as text.
#include "config/posix_file.h"

#include <string>

#include <fcntl.h>

#include <fmt/format.h>

#include "core/checked_file.h"

namespace craton::hsm::config {
namespace {

std::string refusal_text(std::string_view field, const std::filesystem::path& path,
                         const FileRefusal& refusal) {
  using Reason = FileRefusal::Reason;
  switch (refusal.reason) {
    case Reason::IsSymlink:
      return fmt::format("{}: {}: is a symbolic link; name the file itself", field, path.string());
    case Reason::Open:
      return fmt::format("{}: cannot open {}: {}", field, path.string(), errno_text(refusal.error));
    case Reason::Stat:
      return fmt::format("{}: cannot stat {}: {}", field, path.string(), errno_text(refusal.error));
    case Reason::NotRegular:
      return fmt::format("{}: {}: not a regular file", field, path.string());
    case Reason::GroupOrOtherAccess:
      return fmt::format(
          "{}: {} must have no group or other permissions (mode {:04o}); run chmod 600 on it",
          field, path.string(), refusal.mode);
    case Reason::ForeignOwner:
      return fmt::format("{}: {}: owned by uid {}, not by us", field, path.string(), refusal.uid);
    case Reason::Blocking:
      break;
  }
  return fmt::format("{}: {}: fcntl: {}", field, path.string(), errno_text(refusal.error));
}

}  // namespace

Result<UniqueFd> open_regular_file(std::string_view field, const std::filesystem::path& path,
                                   FileUse use) {
  const bool secret = use == FileUse::Secret;
  auto opened = open_checked_file(path, {.access = O_RDONLY,
                                         .symlinks = secret ? Symlinks::Refuse : Symlinks::Follow,
                                         .owner_only = secret});
  if (!opened) return fail(ErrorCode::ConfigInvalid, refusal_text(field, path, opened.error()));
  return std::move(*opened);
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
