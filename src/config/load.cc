// SPDX-License-Identifier: Apache-2.0
// load_config / parse_config: read, parse, validate, then resolve the PIN, in that order.
#include <craton/hsm/config.h>

#include <string>
#include <system_error>

#include <fmt/format.h>

#include "config/pin_source.h"
#include "config/posix_file.h"
#include "config/toml_parse.h"

namespace craton::hsm {
namespace {

namespace fs = std::filesystem;

// Far above any real configuration; stops a mistyped path (a disk image, /dev/zero's cousins)
// from being read into memory whole.
constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;

std::unexpected<HsmError> with_origin(std::string_view origin, const HsmError& error) {
  return fail(error.code(), fmt::format("{}: {}", origin, error.message()));
}

// The PIN is resolved last: a config that fails validation never causes a PIN file read.
Result<Pkcs11PassthroughConfig> parse_validate_resolve(std::string_view text,
                                                       std::string_view origin,
                                                       const fs::path& base_dir) {
  Result<Pkcs11PassthroughConfig> parsed = config::parse_toml(text, base_dir);
  if (!parsed) return with_origin(origin, parsed.error());
  if (Result<void> valid = parsed->validate(); !valid) return with_origin(origin, valid.error());
  if (Result<void> pin = config::resolve_pin(*parsed); !pin) {
    return with_origin(origin, pin.error());
  }
  return parsed;
}

Result<std::string> read_config_text(const fs::path& file) {
  CRATON_ASSIGN_OR_RETURN(const UniqueFd fd,
                          config::open_regular_file("config file", file, config::FileUse::Config));
  std::string text(kMaxConfigBytes + 1, '\0');
  CRATON_ASSIGN_OR_RETURN(const std::size_t size,
                          config::read_up_to("config file", file, fd, text));
  if (size > kMaxConfigBytes) {
    return fail(ErrorCode::ConfigInvalid, fmt::format("config file: {} is larger than {} bytes",
                                                      file.string(), kMaxConfigBytes));
  }
  text.resize(size);
  return text;
}

}  // namespace

Result<Pkcs11PassthroughConfig> load_config(const fs::path& file) {
  std::error_code error;
  const fs::path absolute = fs::absolute(file, error);
  if (error) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("config file: cannot resolve {}: {}", file.string(), error.message()));
  }
  CRATON_ASSIGN_OR_RETURN(const std::string text, read_config_text(absolute));
  return parse_validate_resolve(text, file.string(), absolute.parent_path());
}

Result<Pkcs11PassthroughConfig> parse_config(std::string_view toml, std::string_view origin) {
  // There is no file to be relative to; pin the working directory now so a later chdir cannot
  // change which PIN file a relative pin_file names.
  std::error_code error;
  const fs::path cwd = fs::current_path(error);
  return parse_validate_resolve(toml, origin, error ? fs::path() : cwd);
}

}  // namespace craton::hsm
