// SPDX-License-Identifier: Apache-2.0
// Reads the user PIN from a private file or the environment, straight into wiped memory.
#include "config/pin_source.h"

#include <cstdlib>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "config/posix_file.h"

namespace craton::hsm {
namespace {

// PKCS#11 PINs are short; a bigger file is almost certainly the wrong one (a key, a log).
constexpr std::size_t kMaxPinFileBytes = 4096;

// Editors and `echo` add one line ending; anything beyond that is taken as part of the PIN
// rather than guessed away.
std::string_view strip_one_line_ending(std::string_view text) {
  if (text.ends_with("\r\n")) {
    text.remove_suffix(2);
  } else if (text.ends_with('\n')) {
    text.remove_suffix(1);
  }
  return text;
}

// read_pin_file's rules; `field` names where the path came from in errors.
Result<SecretString> read_pin_from(std::string_view field, const std::filesystem::path& file) {
  // The symlink refusal and the mode check both look at the opened descriptor, so the file we
  // check is the file we read.
  CRATON_ASSIGN_OR_RETURN(const UniqueFd fd,
                          config::open_regular_file(field, file, config::FileUse::Secret));
  // A wiping buffer in pages left out of core dumps: the PIN never sits in memory that is freed
  // without being overwritten, nor in a core dump.
  std::vector<char, WipingAllocator<char, DontDumpAllocator<char>>> buffer(kMaxPinFileBytes + 1);
  CRATON_ASSIGN_OR_RETURN(const std::size_t size, config::read_up_to(field, file, fd, buffer));
  if (size > kMaxPinFileBytes) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("{}: {} is larger than {} bytes; is it the right file?", field,
                            file.string(), kMaxPinFileBytes));
  }
  const std::string_view pin = strip_one_line_ending({buffer.data(), size});
  if (pin.empty()) {
    return fail(ErrorCode::ConfigInvalid, fmt::format("{}: {} is empty", field, file.string()));
  }
  return SecretString(pin);
}

}  // namespace

Result<SecretString> read_pin_file(const std::filesystem::path& file) {
  return read_pin_from("pin_file", file);
}

namespace config {

Result<void> resolve_pin(Pkcs11PassthroughConfig& config) {
  if (config.pin_file) {
    CRATON_ASSIGN_OR_RETURN(SecretString pin, read_pin_file(*config.pin_file));
    config.user_pin = std::move(pin);
    return {};
  }
  // RFC 7512 pin-source, as libp11 and pkcs11-provider read it; validate() made sure it names
  // an absolute path and that pin_file is not set as well.
  if (const auto source = config.token_uri ? config.token_uri->pin_source_file() : std::nullopt) {
    CRATON_ASSIGN_OR_RETURN(SecretString pin, read_pin_from("token_uri pin-source", *source));
    config.user_pin = std::move(pin);
    return {};
  }
  // getenv's buffer belongs to the environment; copying it straight into SecretString leaves
  // no second plain copy of our own.
  const char* value = std::getenv(config.pin_env.c_str());
  if (value != nullptr && *value != '\0') config.user_pin.emplace(std::string_view(value));
  return {};
}

}  // namespace config
}  // namespace craton::hsm
