// SPDX-License-Identifier: Apache-2.0
// Reads the configuration TOML into Pkcs11PassthroughConfig, refusing PINs, typos and wrong types.
//
// Schema: flat keys at the top level (no tables, no arrays).
//
//   library_path = "/usr/lib/softhsm/libsofthsm2.so"  # string; required; absolute path
//
//   # Exactly one token selector:
//   slot_id      = 0                  # integer >= 0
//   token_label  = "ci-token"         # string, 1..32 bytes (CK_TOKEN_INFO.label)
//   token_serial = "0123456789abcdef" # string, 1..16 bytes (CK_TOKEN_INFO.serialNumber)
//
//   pin_env  = "CRATON_HSM_PIN"   # string; env var holding the user PIN; [A-Za-z_][A-Za-z0-9_]*
//                                 # default "CRATON_HSM_PIN"
//   pin_file = "/etc/craton/pin"  # string; optional; takes precedence over pin_env; must be a
//                                 # regular file (not a symlink) with mode & 077 == 0; relative
//                                 # paths resolve against the config file's directory
//                                 # (load_config) or the working directory (parse_config)
//
//   allow_software_keygen_fallback = false   # boolean; default false
//   allow_unprotected_library_path = false   # boolean; default false
//   pool_size                = 8             # integer 1..256; default 8
//   acquire_timeout_ms       = 5000          # integer 1..600000; default 5000
//   cache_capacity           = 256           # integer 1..65536; default 256
//   gcm_max_messages_per_key = 4294967296    # integer 1..2^32 (NIST SP 800-38D §8.3); default 2^32
//   max_message_bytes        = 67108864      # integer 1..2^30; default 64 MiB
//
// Refused with ConfigInvalid: `user_pin`, `pin` and `so_pin` (PINs never live in the config
// file), any other key (catches typos), values of the wrong TOML type, TOML syntax errors.
#include "config/toml_parse.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/rules.h"
#include "config/suggest.h"

namespace craton::hsm::config {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 3> kPinKeys{"user_pin", "pin", "so_pin"};
constexpr std::string_view kPinRefusal =
    "PINs never live in the config file; use pin_env or pin_file";

constexpr std::array<std::string_view, 13> kKnownKeys{
    "library_path",
    "slot_id",
    "token_label",
    "token_serial",
    "pin_env",
    "pin_file",
    "allow_software_keygen_fallback",
    "allow_unprotected_library_path",
    "pool_size",
    "acquire_timeout_ms",
    "cache_capacity",
    "gcm_max_messages_per_key",
    "max_message_bytes",
};

bool contains(std::span<const std::string_view> list, std::string_view word) {
  return std::ranges::find(list, word) != list.end();
}

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "an unknown type";
}

std::unexpected<HsmError> wrong_type(std::string_view key, std::string_view expected,
                                     const toml::node& node) {
  return fail(ErrorCode::ConfigInvalid,
              fmt::format("{}: expected {}, got {}", key, expected, type_name(node.type())));
}

struct PinAssignment {
  std::string_view key;
  std::size_t line;  // 1-based
};

// The first `user_pin = ...` style assignment, found without a TOML parser. Used when the
// document does not parse: toml++ error descriptions can quote the offending value, and when
// that value is a PIN we must not repeat it.
std::optional<PinAssignment> find_pin_assignment(std::string_view text) {
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);

    const auto skip_blanks = [&line] {
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    };
    skip_blanks();
    std::string_view key;
    if (!line.empty() && (line.front() == '"' || line.front() == '\'')) {
      const char quote = line.front();
      const std::size_t close = line.find(quote, 1);
      if (close == std::string_view::npos) continue;
      key = line.substr(1, close - 1);
      line.remove_prefix(close + 1);
    } else {
      const std::size_t stop = line.find_first_of(" \t=");
      key = line.substr(0, stop);
      line.remove_prefix(stop == std::string_view::npos ? line.size() : stop);
    }
    skip_blanks();
    if (line.starts_with('=') && contains(kPinKeys, key)) return PinAssignment{key, line_number};
  }
  return std::nullopt;
}

Result<toml::table> parse_document(std::string_view text) {
  // Debian's toml++ is built with exceptions; they stop here, converted to a Result.
  try {
    return toml::parse(text);
  } catch (const toml::parse_error& error) {
    if (const std::optional<PinAssignment> pin = find_pin_assignment(text)) {
      return fail(ErrorCode::ConfigInvalid,
                  fmt::format("{}: {} (line {})", pin->key, kPinRefusal, pin->line));
    }
    const toml::source_position where = error.source().begin;
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("line {}, column {}: invalid TOML: {}", where.line, where.column,
                            error.description()));
  }
}

// PIN keys first, so that refusal is what the operator sees even when there are typos too.
Result<void> check_keys(const toml::table& table) {
  for (const auto& [key, node] : table) {
    if (contains(kPinKeys, key.str())) {
      return fail(ErrorCode::ConfigInvalid, fmt::format("{}: {}", key.str(), kPinRefusal));
    }
  }
  for (const auto& [key, node] : table) {
    if (contains(kKnownKeys, key.str())) continue;
    const std::optional<std::string_view> guess = closest_match(key.str(), kKnownKeys);
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("{:?}: unknown key{}", key.str(),
                            guess ? fmt::format(" (did you mean {}?)", *guess) : std::string()));
  }
  return {};
}

Result<std::optional<std::string>> read_string(const toml::table& table, std::string_view key) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<std::string>();
  const toml::value<std::string>* value = node->as_string();
  if (value == nullptr) return wrong_type(key, "a string", *node);
  return std::optional<std::string>(value->get());
}

Result<std::optional<bool>> read_bool(const toml::table& table, std::string_view key) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<bool>();
  const toml::value<bool>* value = node->as_boolean();
  if (value == nullptr) return wrong_type(key, "a boolean", *node);
  return std::optional<bool>(value->get());
}

// Checks the range here, before the caller narrows into a smaller struct field: otherwise
// pool_size = 4294967297 would wrap to 1 and pass validate().
Result<std::optional<std::int64_t>> read_integer(const toml::table& table, std::string_view key,
                                                 IntRange range) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<std::int64_t>();
  const toml::value<std::int64_t>* value = node->as_integer();
  if (value == nullptr) return wrong_type(key, "an integer", *node);
  CRATON_RETURN_IF_ERROR(check_range(key, value->get(), range));
  return std::optional<std::int64_t>(value->get());
}

}  // namespace

Result<Pkcs11PassthroughConfig> parse_toml(std::string_view text, const fs::path& base_dir) {
  CRATON_ASSIGN_OR_RETURN(const toml::table table, parse_document(text));
  CRATON_RETURN_IF_ERROR(check_keys(table));

  Pkcs11PassthroughConfig parsed;
  CRATON_ASSIGN_OR_RETURN(const auto library_path, read_string(table, "library_path"));
  if (library_path) parsed.library_path = *library_path;

  CRATON_ASSIGN_OR_RETURN(const auto slot_id, read_integer(table, "slot_id", kSlotIdRange));
  if (slot_id) parsed.slot_id = static_cast<std::uint64_t>(*slot_id);
  CRATON_ASSIGN_OR_RETURN(parsed.token_label, read_string(table, "token_label"));
  CRATON_ASSIGN_OR_RETURN(parsed.token_serial, read_string(table, "token_serial"));

  CRATON_ASSIGN_OR_RETURN(const auto pin_env, read_string(table, "pin_env"));
  if (pin_env) parsed.pin_env = *pin_env;
  CRATON_ASSIGN_OR_RETURN(const auto pin_file, read_string(table, "pin_file"));
  if (pin_file) {
    fs::path path(*pin_file);
    // Relative to the config file, not to wherever the service happened to be started.
    if (!path.empty() && path.is_relative() && !base_dir.empty()) {
      path = (base_dir / path).lexically_normal();
    }
    parsed.pin_file = std::move(path);
  }

  CRATON_ASSIGN_OR_RETURN(const auto keygen_fallback,
                          read_bool(table, "allow_software_keygen_fallback"));
  if (keygen_fallback) parsed.allow_software_keygen_fallback = *keygen_fallback;
  CRATON_ASSIGN_OR_RETURN(const auto unprotected_path,
                          read_bool(table, "allow_unprotected_library_path"));
  if (unprotected_path) parsed.allow_unprotected_library_path = *unprotected_path;

  CRATON_ASSIGN_OR_RETURN(const auto pool_size, read_integer(table, "pool_size", kPoolSizeRange));
  if (pool_size) parsed.pool_size = static_cast<std::uint32_t>(*pool_size);
  CRATON_ASSIGN_OR_RETURN(const auto timeout_ms,
                          read_integer(table, "acquire_timeout_ms", kAcquireTimeoutMsRange));
  if (timeout_ms) parsed.acquire_timeout = std::chrono::milliseconds(*timeout_ms);
  CRATON_ASSIGN_OR_RETURN(const auto cache_capacity,
                          read_integer(table, "cache_capacity", kCacheCapacityRange));
  if (cache_capacity) parsed.cache_capacity = static_cast<std::uint32_t>(*cache_capacity);
  CRATON_ASSIGN_OR_RETURN(const auto gcm_max,
                          read_integer(table, "gcm_max_messages_per_key", kGcmMaxMessagesRange));
  if (gcm_max) parsed.gcm_max_messages_per_key = static_cast<std::uint64_t>(*gcm_max);
  CRATON_ASSIGN_OR_RETURN(const auto max_message,
                          read_integer(table, "max_message_bytes", kMaxMessageBytesRange));
  if (max_message) parsed.max_message_bytes = static_cast<std::uint64_t>(*max_message);
  return parsed;
}

}  // namespace craton::hsm::config
