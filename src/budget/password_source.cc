// SPDX-License-Identifier: Apache-2.0
// Reads the store password into wiped memory, with the PIN file's rules for its file.
#include "budget/password_source.h"

#include <cstdlib>
#include <string_view>
#include <vector>

#include <fcntl.h>

#include <fmt/format.h>

#include "core/checked_file.h"

namespace craton::hsm::budget {
namespace {

// A password file bigger than this is the wrong file (a key, a log).
constexpr std::size_t kMaxPasswordBytes = 1024;

using WipedChars = std::vector<char, WipingAllocator<char, DontDumpAllocator<char>>>;

StorePassword with_terminator(std::string_view text) {
  WipedChars chars(text.begin(), text.end());
  chars.push_back('\0');
  return StorePassword{SecretString(std::string_view(chars.data(), chars.size()))};
}

Result<StorePassword> read_password_file(const std::filesystem::path& path) {
  using Reason = FileRefusal::Reason;
  const std::string field = fmt::format("budget.password_file: {}", path.string());
  auto opened = open_checked_file(
      path, {.access = O_RDONLY, .symlinks = Symlinks::Refuse, .owner_only = true});
  if (!opened) {
    const FileRefusal& refusal = opened.error();
    switch (refusal.reason) {
      case Reason::GroupOrOtherAccess:
        return fail(ErrorCode::ConfigInvalid,
                    fmt::format("{}: mode {:04o} gives group/other access; run chmod 600 on it",
                                field, refusal.mode));
      case Reason::IsSymlink:
        return fail(ErrorCode::ConfigInvalid,
                    fmt::format("{}: is a symbolic link; name the file itself", field));
      case Reason::NotRegular:
        return fail(ErrorCode::ConfigInvalid, fmt::format("{}: not a regular file", field));
      default:
        return fail(ErrorCode::ConfigInvalid,
                    fmt::format("{}: cannot open: {}", field, errno_text(refusal.error)));
    }
  }
  WipedChars buffer(kMaxPasswordBytes + 1);
  const auto read = read_into(*opened, std::as_writable_bytes(std::span(buffer)));
  if (!read) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("{}: cannot read: {}", field, errno_text(read.error())));
  }
  if (*read > kMaxPasswordBytes) {
    return fail(
        ErrorCode::ConfigInvalid,
        fmt::format("{}: larger than {} bytes; is it the right file?", field, kMaxPasswordBytes));
  }
  std::string_view text(buffer.data(), *read);
  if (text.ends_with("\r\n")) {
    text.remove_suffix(2);
  } else if (text.ends_with('\n')) {
    text.remove_suffix(1);
  }
  if (text.empty() || text.find('\0') != std::string_view::npos) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("{}: {}", field, text.empty() ? "is empty" : "contains a NUL byte"));
  }
  return with_terminator(text);
}

}  // namespace

Result<std::optional<StorePassword>> read_store_password(const BudgetConfig& config) {
  if (config.password_env && config.password_file) {
    return fail(ErrorCode::ConfigInvalid,
                "budget.password_env/budget.password_file: at most one may be set, both are");
  }
  if (config.password_file) {
    CRATON_ASSIGN_OR_RETURN(StorePassword password, read_password_file(*config.password_file));
    return std::optional<StorePassword>(std::move(password));
  }
  if (config.password_env) {
    const char* value = std::getenv(config.password_env->c_str());
    if (value == nullptr || *value == '\0') {
      return fail(ErrorCode::ConfigInvalid,
                  fmt::format("budget.password_env: the environment variable {} is not set or "
                              "empty",
                              *config.password_env));
    }
    return std::optional<StorePassword>(with_terminator(value));
  }
  return std::optional<StorePassword>();
}

}  // namespace craton::hsm::budget
