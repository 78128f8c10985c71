// SPDX-License-Identifier: Apache-2.0
// Reads the configuration TOML into Pkcs11PassthroughConfig, refusing PINs, typos and wrong types.
//
// Schema: flat keys at the top level, plus the optional tables [vendor_quirks], [concurrency],
// [audit] and [budget]. No arrays.
//
//   library_path = "/usr/lib/softhsm/libsofthsm2.so"  # string; required; absolute path
//
//   # Exactly one token selector:
//   slot_id      = 0                  # integer >= 0
//   token_label  = "ci-token"         # string, 1..32 bytes (CK_TOKEN_INFO.label)
//   token_serial = "0123456789abcdef" # string, 1..16 bytes (CK_TOKEN_INFO.serialNumber)
//   token_uri    = "pkcs11:token=ci-token"  # string, an RFC 7512 URI naming the token (no
//                                 # object attributes, no pin-value); its module-path, if any,
//                                 # must equal library_path, and stands in for it when that is
//                                 # absent; its pin-source=file:/abs/path (or /abs/path) names
//                                 # the PIN file as pin_file would (not both)
//
//   pin_env  = "CRATON_HSM_PIN"   # string; env var holding the user PIN; [A-Za-z_][A-Za-z0-9_]*
//                                 # default "CRATON_HSM_PIN"
//   pin_file = "/etc/craton/pin"  # string; optional; takes precedence over pin_env; must be a
//                                 # regular file (not a symlink) with mode & 077 == 0; relative
//                                 # paths resolve against the config file's directory
//                                 # (load_config) or the working directory (parse_config)
//
//   init_reserved = "configdir='sql:/var/lib/nss' certPrefix='' keyPrefix='' secmod='secmod.db'"
//                                 # string, 1..4096 bytes, no NUL; optional: C_Initialize's
//                                 # CK_C_INITIALIZE_ARGS.pReserved (NSS softokn needs it)
//   serialize_calls = true        # boolean; optional (unset: the vendor profile decides): one
//                                 # call at a time into the module
//
//   vendor_profile = "auto"       # "auto" | softhsm2 | nss | opencryptoki | luna | cloudhsm |
//                                 # nshield | utimaco | yubihsm2 | generic; default "auto"
//   import_method = "auto"        # "auto" | "create" | "unwrap"; default "auto": how secret
//                                 # and private keys reach the token (docs/import-by-unwrap.md)
//
//   allow_software_keygen_fallback = false   # boolean; default false
//   allow_unprotected_library_path = false   # boolean; default false
//   allow_keys_without_login       = false   # boolean; default false
//   strict_usages                  = false   # boolean; default false: a generated resident key
//                                            # with usages beyond those asked for is kept and
//                                            # reported; true: refused and destroyed (weakened
//                                            # CKA_SENSITIVE/EXTRACTABLE/PRIVATE: always refused)
//   pool_size                = 8             # integer 1..256; default 8
//   acquire_timeout_ms       = 5000          # integer 1..600000; default 5000
//   operation_timeout_ms     = 0             # integer 0..600000 (0: none); default 0
//   breaker_threshold        = 5             # integer 0..1000 (0: no breaker); default 5
//   breaker_cooldown_ms      = 2000          # integer 1..600000; default 2000
//   cache_capacity           = 256           # integer 1..65536; default 256
//   gcm_max_messages_per_key = 4294967296    # integer 1..2^32 (NIST SP 800-38D §8.3); default 2^32
//   max_message_bytes        = 67108864      # integer 1..2^30; default 64 MiB
//   concurrency              = "unlimited"   # "adaptive" | "unlimited" | integer 1..256: every
//                                            # class; or the table below; default unlimited
//
//   [concurrency]                    # optional, instead of the key: per class of operation
//   default   = "adaptive"           # every class not named below; default "unlimited"
//   symmetric = "adaptive"           # AES, HMAC; each "adaptive" | "unlimited" | 1..256
//   ec        = 4                    # ECDSA, EdDSA, ECDH
//   rsa       = "unlimited"          # RSA signatures and OAEP
//   other     = "unlimited"          # digest, random
//
//   [vendor_quirks]                  # optional; each key overrides one switch of the profile
//   serialize_calls = true           # boolean switches (docs/vendors/README.md lists them)
//   max_sessions = 16                # integer 0..65536 (0: no known limit)
//   aes_key_wrap_pad = "rfc5649"     # "unknown" | "rfc5649" | "rfc5649_block_multiples" |
//                                    # "rfc3394_pkcs7"
//
//   [audit]                          # optional; present: every operation is recorded
//   file           = "/var/log/craton/audit.jsonl"  # string; required; relative paths as pin_file
//   key_file       = "/etc/craton/audit.key"  # string; exactly one of key_file / key_label
//   key_label      = "audit-hmac"    # string, 1..128 bytes: HMAC key on the token
//   durability     = "per_batch"     # "per_record" | "per_batch" | "none"; default per_batch
//   on_failure     = "fail_closed"   # "fail_closed" | "fail_open"; default fail_closed
//   queue_capacity = 8192            # integer 1..2^20; default 8192
//   max_wait_ms    = 200             # integer 1..60000; default 200
//   rotate_bytes   = 0               # integer, 0 (never) or >= 4096; default 0
//   lock_timeout_ms = 5000           # integer 0..600000: wait for another writer; default 5000
//
//   [budget]                         # optional; where GCM message counts live (docs/budgets.md)
//   store    = "sqlite"              # "memory" | "sqlite" | "postgresql"; default "memory"
//   path     = "/var/lib/craton/budgets.db"  # string; sqlite: required; relative as pin_file
//   url      = "host=db dbname=craton user=signer"  # string; postgresql: required; a libpq
//                                    # connection string without a password
//   password_env  = "CRATON_BUDGET_PW"    # string; postgresql: the password's variable, or
//   password_file = "/etc/craton/budget.pw"  # string; a 0600 file holding it (not both)
//   identity_key_file  = "/etc/craton/budget.key"  # string; durable stores: exactly one of
//   identity_key_label = "budget-id" # string, 1..128 bytes: HMAC key on the token
//   block_min  = 16                  # integer 1..2^20; default 16
//   block_max  = 65536               # integer block_min..2^20; default 65536
//   timeout_ms = 2000                # integer 1..600000: bounds each store round trip
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
#include "config/toml_audit.h"
#include "config/toml_budget.h"
#include "config/toml_concurrency.h"
#include "config/toml_read.h"
#include "config/toml_vendor.h"

namespace craton::hsm::config {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 3> kPinKeys{"user_pin", "pin", "so_pin"};
constexpr std::string_view kPinRefusal =
    "PINs never live in the config file; use pin_env or pin_file";

constexpr std::array<std::string_view, 27> kKnownKeys{
    "library_path",
    "slot_id",
    "token_label",
    "token_serial",
    "token_uri",
    "pin_env",
    "pin_file",
    "init_reserved",
    "serialize_calls",
    "vendor_profile",
    "vendor_quirks",
    "import_method",
    "allow_software_keygen_fallback",
    "allow_unprotected_library_path",
    "allow_keys_without_login",
    "strict_usages",
    "pool_size",
    "acquire_timeout_ms",
    "operation_timeout_ms",
    "breaker_threshold",
    "breaker_cooldown_ms",
    "cache_capacity",
    "gcm_max_messages_per_key",
    "max_message_bytes",
    "concurrency",
    "audit",
    "budget",
};

bool contains(std::span<const std::string_view> list, std::string_view word) {
  return std::ranges::find(list, word) != list.end();
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
  return check_known_keys(table, kKnownKeys, "");
}

Result<std::optional<std::string>> read_string(const toml::table& table, std::string_view key) {
  return config::read_string(table, key, key);
}

Result<std::optional<bool>> read_bool(const toml::table& table, std::string_view key) {
  return config::read_bool(table, key, key);
}

Result<std::optional<std::int64_t>> read_integer(const toml::table& table, std::string_view key,
                                                 IntRange range) {
  return config::read_integer(table, key, key, range);
}

// Syntax only; what the URI may name is validate()'s (check_token_uri). The parser's message
// never contains a value, so a PIN pasted into the URI stays out of it.
Result<std::optional<Pkcs11Uri>> read_token_uri(const toml::table& table) {
  CRATON_ASSIGN_OR_RETURN(const auto text, read_string(table, "token_uri"));
  if (!text) return std::optional<Pkcs11Uri>();
  Result<Pkcs11Uri> uri = Pkcs11Uri::parse(*text);
  if (!uri) {
    return fail(ErrorCode::ConfigInvalid, fmt::format("token_uri: {}", uri.error().message()));
  }
  return std::optional<Pkcs11Uri>(std::move(*uri));
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
  CRATON_ASSIGN_OR_RETURN(parsed.token_uri, read_token_uri(table));
  // RFC 7512 module-path names the module too; with library_path absent it is the one to load.
  if (parsed.library_path.empty() && parsed.token_uri && parsed.token_uri->module_path) {
    parsed.library_path = *parsed.token_uri->module_path;
  }

  CRATON_ASSIGN_OR_RETURN(const auto pin_env, read_string(table, "pin_env"));
  if (pin_env) parsed.pin_env = *pin_env;
  CRATON_ASSIGN_OR_RETURN(const auto pin_file, read_string(table, "pin_file"));
  if (pin_file) parsed.pin_file = path_value(*pin_file, base_dir);
  CRATON_ASSIGN_OR_RETURN(parsed.init_reserved, read_string(table, "init_reserved"));
  CRATON_ASSIGN_OR_RETURN(parsed.serialize_calls, read_bool(table, "serialize_calls"));
  CRATON_ASSIGN_OR_RETURN(const auto vendor_profile, read_string(table, "vendor_profile"));
  if (vendor_profile) parsed.vendor_profile = *vendor_profile;
  CRATON_ASSIGN_OR_RETURN(parsed.vendor_quirks, parse_vendor_quirks(table));
  CRATON_ASSIGN_OR_RETURN(parsed.import_method, parse_import_method(table));

  CRATON_ASSIGN_OR_RETURN(const auto keygen_fallback,
                          read_bool(table, "allow_software_keygen_fallback"));
  if (keygen_fallback) parsed.allow_software_keygen_fallback = *keygen_fallback;
  CRATON_ASSIGN_OR_RETURN(const auto unprotected_path,
                          read_bool(table, "allow_unprotected_library_path"));
  if (unprotected_path) parsed.allow_unprotected_library_path = *unprotected_path;
  CRATON_ASSIGN_OR_RETURN(const auto keys_without_login,
                          read_bool(table, "allow_keys_without_login"));
  if (keys_without_login) parsed.allow_keys_without_login = *keys_without_login;
  CRATON_ASSIGN_OR_RETURN(const auto strict_usages, read_bool(table, "strict_usages"));
  if (strict_usages) parsed.strict_usages = *strict_usages;

  CRATON_ASSIGN_OR_RETURN(const auto pool_size, read_integer(table, "pool_size", kPoolSizeRange));
  if (pool_size) parsed.pool_size = static_cast<std::uint32_t>(*pool_size);
  CRATON_ASSIGN_OR_RETURN(const auto timeout_ms,
                          read_integer(table, "acquire_timeout_ms", kAcquireTimeoutMsRange));
  if (timeout_ms) parsed.acquire_timeout = std::chrono::milliseconds(*timeout_ms);
  CRATON_ASSIGN_OR_RETURN(const auto operation_ms,
                          read_integer(table, "operation_timeout_ms", kOperationTimeoutMsRange));
  if (operation_ms) parsed.operation_timeout = std::chrono::milliseconds(*operation_ms);
  CRATON_ASSIGN_OR_RETURN(const auto threshold,
                          read_integer(table, "breaker_threshold", kBreakerThresholdRange));
  if (threshold) parsed.breaker_threshold = static_cast<std::uint32_t>(*threshold);
  CRATON_ASSIGN_OR_RETURN(const auto cooldown_ms,
                          read_integer(table, "breaker_cooldown_ms", kBreakerCooldownMsRange));
  if (cooldown_ms) parsed.breaker_cooldown = std::chrono::milliseconds(*cooldown_ms);
  CRATON_ASSIGN_OR_RETURN(const auto cache_capacity,
                          read_integer(table, "cache_capacity", kCacheCapacityRange));
  if (cache_capacity) parsed.cache_capacity = static_cast<std::uint32_t>(*cache_capacity);
  CRATON_ASSIGN_OR_RETURN(const auto gcm_max,
                          read_integer(table, "gcm_max_messages_per_key", kGcmMaxMessagesRange));
  if (gcm_max) parsed.gcm_max_messages_per_key = static_cast<std::uint64_t>(*gcm_max);
  CRATON_ASSIGN_OR_RETURN(const auto max_message,
                          read_integer(table, "max_message_bytes", kMaxMessageBytesRange));
  if (max_message) parsed.max_message_bytes = static_cast<std::uint64_t>(*max_message);
  CRATON_ASSIGN_OR_RETURN(parsed.concurrency, parse_concurrency(table));
  CRATON_ASSIGN_OR_RETURN(parsed.audit, parse_audit_table(table, base_dir));
  CRATON_ASSIGN_OR_RETURN(parsed.budget, parse_budget_table(table, base_dir));
  return parsed;
}

}  // namespace craton::hsm::config
