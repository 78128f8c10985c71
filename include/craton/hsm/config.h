// SPDX-License-Identifier: Apache-2.0
// Pkcs11PassthroughConfig: everything a backend needs to reach one token, and its TOML loader.
#pragma once

#include <craton/hsm/audit.h>
#include <craton/hsm/budget.h>
#include <craton/hsm/concurrency.h>
#include <craton/hsm/error.h>
#include <craton/hsm/export.h>
#include <craton/hsm/pkcs11_uri.h>
#include <craton/hsm/secret.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <variant>

namespace craton::hsm {

// One [vendor_quirks] value: a boolean switch, a count (max_sessions) or a name
// (aes_key_wrap_pad). docs/vendors/README.md lists every quirk and profile.
using VendorQuirkValue = std::variant<bool, std::int64_t, std::string>;

// How secret and private keys get onto the token (docs/import-by-unwrap.md). Create:
// C_CreateObject with the value in the template (private keys still by unwrap where the vendor
// profile says the token refuses to create them). Unwrap: every secret and private key by
// C_UnwrapKey under a one-time AES key that reaches the token under a token-generated RSA
// transport key, so no clear key value is ever handed to C_CreateObject. Auto: create, and
// for each key class (secret, private) switch to unwrap for the backend's life the first time
// the token refuses the template (CKR_TEMPLATE_INCONSISTENT, CKR_ATTRIBUTE_VALUE_INVALID,
// CKR_ACTION_PROHIBITED).
enum class ImportMethod : std::uint8_t { Auto, Create, Unwrap };
// "auto", "create", "unwrap".
[[nodiscard]] CRATON_HSM_API std::string_view import_method_name(ImportMethod method) noexcept;

// Exactly one of slot_id / token_label / token_serial / token_uri selects the token. Defaults
// are the values documented in the README's configuration reference. Move-only because of the
// PIN; prints with the PIN redacted.
struct CRATON_HSM_API Pkcs11PassthroughConfig {
  // Absolute path of the vendor module. May be left empty when token_uri carries module-path.
  std::filesystem::path library_path;
  std::optional<std::uint64_t> slot_id;
  std::optional<std::string> token_label;
  std::optional<std::string> token_serial;
  // An RFC 7512 URI naming the token ("pkcs11:token=ci-token;serial=..."): every token, slot
  // and library attribute it sets must match, and exactly one token may. It names no object,
  // and its module-path (if any) must be library_path. Its pin-source (if any) names the PIN
  // file as pin_file does (not both); like pin_file, load_config reads it.
  std::optional<Pkcs11Uri> token_uri;

  std::optional<SecretString> user_pin;  // resolved from pin_env or pin_file, never from TOML
  std::string pin_env = "CRATON_HSM_PIN";
  std::optional<std::filesystem::path> pin_file;

  // Handed to C_Initialize as CK_C_INITIALIZE_ARGS.pReserved, a C string (NSS softokn reads
  // its database location from it: "configdir='sql:/path' certPrefix='' ..."). Not a secret;
  // 1..4096 bytes, no NUL. Unset: pReserved is NULL.
  std::optional<std::string> init_reserved;
  // Serialise every call into the module behind one mutex, for modules that are not
  // thread-safe. Unset: the vendor profile decides; a module answering CKR_CANT_LOCK is always
  // serialised.
  std::optional<bool> serialize_calls;
  // Which vendor's known behaviour to assume: "auto" (from C_GetInfo and C_GetTokenInfo's
  // manufacturer, library description and model; unknown vendors get "generic") or a profile
  // name (softhsm2, nss, opencryptoki, luna, cloudhsm, nshield, utimaco, yubihsm2, generic).
  std::string vendor_profile = "auto";
  // [vendor_quirks]: individual switches that override the profile's (serialize_calls above
  // overrides this table's serialize_calls).
  std::map<std::string, VendorQuirkValue, std::less<>> vendor_quirks;
  // import_method: how secret and private keys reach the token (ImportMethod above).
  ImportMethod import_method = ImportMethod::Auto;

  bool allow_software_keygen_fallback = false;
  bool allow_unprotected_library_path = false;
  // Lets a backend without a PIN create persistent private and secret keys. They are then
  // CKA_PRIVATE false: anyone who can open the token uses them without a PIN. Off: such a
  // creation is LoginRequired.
  bool allow_keys_without_login = false;
  // A resident key the token generated with usages beyond those asked for (tokens may add
  // usages they derive themselves, e.g. CKA_DERIVE on EC keys) is refused and destroyed when
  // true; when false (the default) it is kept and the extra usages are reported
  // (Key::extra_usages, `list`, the audit record). A key the token made weaker than asked
  // (CKA_SENSITIVE false, CKA_EXTRACTABLE true, CKA_PRIVATE false) is refused either way.
  bool strict_usages = false;
  std::uint32_t pool_size = 8;
  std::chrono::milliseconds acquire_timeout{5000};
  // The longest one operation may take in all (waits, session rebuilds, module
  // re-initialisation and its one retry); zero: no bound beyond acquire_timeout per wait.
  std::chrono::milliseconds operation_timeout{0};
  // The circuit breaker: after this many module-level failures in a row (device error or
  // removed, token not present, module lost) calls fail fast with DeviceUnavailable for
  // breaker_cooldown, then one probe decides. Zero disables it.
  std::uint32_t breaker_threshold = 5;
  std::chrono::milliseconds breaker_cooldown{2000};
  std::uint32_t cache_capacity = 256;
  std::uint64_t gcm_max_messages_per_key = std::uint64_t{1} << 32;  // NIST SP 800-38D §8.3
  BudgetConfig budget;  // the [budget] table: where those messages are counted
  std::uint64_t max_message_bytes = std::uint64_t{64} << 20;  // larger inputs: DataLenRange
  // Operations in flight on the token at once, per class (concurrency.h); unlimited: every
  // caller goes through, as with bare PKCS#11.
  ConcurrencyConfig concurrency;

  std::optional<AuditConfig> audit;  // the [audit] table; absent: no audit trail

  // Checks ranges and the selector rule; every failure is ConfigInvalid naming the field.
  [[nodiscard]] Result<void> validate() const;
  // A copy with its own clone of the PIN (the struct is move-only so that PIN copies are
  // always explicit): for a second backend on the same token, e.g. one with an audit trail.
  [[nodiscard]] Pkcs11PassthroughConfig clone() const;
};

// Reads a TOML file (see README "Configuration"), then resolves the PIN: from the file named
// by `pin_file` or by token_uri's pin-source (which must not be group/world readable) or else
// the environment variable named by `pin_env`. A `user_pin` key in the TOML is refused. Errors:
// ConfigInvalid.
[[nodiscard]] CRATON_HSM_API Result<Pkcs11PassthroughConfig> load_config(
    const std::filesystem::path& file);

// Parses TOML text; `origin` names the source in error messages. Same rules as load_config,
// except that a relative pin_file resolves against the working directory.
[[nodiscard]] CRATON_HSM_API Result<Pkcs11PassthroughConfig> parse_config(std::string_view toml,
                                                                          std::string_view origin);

// Reads a PIN file: refuses symlinks, non-regular files and any group/other permission bit
// (mode & 077), and strips one trailing newline. Errors: ConfigInvalid.
[[nodiscard]] CRATON_HSM_API Result<SecretString> read_pin_file(const std::filesystem::path& file);

// One line with every field; the PIN shows as "<redacted>" (or "<unset>").
[[nodiscard]] CRATON_HSM_API std::string to_string(const Pkcs11PassthroughConfig& config);
CRATON_HSM_API std::ostream& operator<<(std::ostream& out, const Pkcs11PassthroughConfig& config);

}  // namespace craton::hsm

template <>
struct fmt::formatter<craton::hsm::Pkcs11PassthroughConfig> : fmt::formatter<std::string_view> {
  auto format(const craton::hsm::Pkcs11PassthroughConfig& config, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(craton::hsm::to_string(config), ctx);
  }
};
