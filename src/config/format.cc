// SPDX-License-Identifier: Apache-2.0
// One-line text form of Pkcs11PassthroughConfig; the PIN only ever appears as "<redacted>".
#include <craton/hsm/config.h>

#include <iterator>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "config/conninfo_text.h"
#include "config/rules.h"

namespace craton::hsm {
namespace {

// Paths and the key label are not secrets; the key file's contents never get here.
void append_audit(std::string& out, const std::optional<AuditConfig>& audit) {
  auto it = std::back_inserter(out);
  if (!audit) {
    fmt::format_to(it, ", audit=<unset>");
    return;
  }
  fmt::format_to(it, ", audit={{file={:?}", audit->file.string());
  if (audit->key_file) fmt::format_to(it, ", key_file={:?}", audit->key_file->string());
  if (audit->key_label) fmt::format_to(it, ", key_label={:?}", *audit->key_label);
  fmt::format_to(it,
                 ", durability={}, on_failure={}, queue_capacity={}, max_wait_ms={}"
                 ", rotate_bytes={}, lock_timeout_ms={}}}",
                 config::durability_name(audit->durability),
                 config::failure_policy_name(audit->on_failure), audit->queue_capacity,
                 audit->max_wait.count(), audit->rotate_bytes, audit->lock_timeout.count());
}

// The url never prints a password: validate() refuses one, and a config printed before it is
// validated shows "<redacted>" where the password was.
void append_budget(std::string& out, const BudgetConfig& budget) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, ", budget={{store={}", budget_store_name(budget.store));
  if (budget.path) fmt::format_to(it, ", path={:?}", budget.path->string());
  if (budget.url) fmt::format_to(it, ", url={:?}", config::redact_conninfo(*budget.url));
  if (budget.password_env) fmt::format_to(it, ", password_env={:?}", *budget.password_env);
  if (budget.password_file) {
    fmt::format_to(it, ", password_file={:?}", budget.password_file->string());
  }
  if (budget.identity_key_file) {
    fmt::format_to(it, ", identity_key_file={:?}", budget.identity_key_file->string());
  }
  if (budget.identity_key_label) {
    fmt::format_to(it, ", identity_key_label={:?}", *budget.identity_key_label);
  }
  fmt::format_to(it, ", block_min={}, block_max={}, timeout_ms={}}}", budget.block_min,
                 budget.block_max, budget.timeout_ms);
}

// In TOML's own spelling (true, 16, "rfc5649"), in key order.
void append_vendor_quirks(std::string& out, const Pkcs11PassthroughConfig& config) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, ", vendor_quirks={{");
  const char* separator = "";
  for (const auto& [name, value] : config.vendor_quirks) {
    fmt::format_to(it, "{}{}=", separator, name);
    if (const bool* flag = std::get_if<bool>(&value)) {
      fmt::format_to(it, "{}", *flag);
    } else if (const std::int64_t* count = std::get_if<std::int64_t>(&value)) {
      fmt::format_to(it, "{}", *count);
    } else {
      fmt::format_to(it, "{:?}", std::get<std::string>(value));
    }
    separator = ", ";
  }
  out += '}';
}

}  // namespace

std::string to_string(const Pkcs11PassthroughConfig& config) {
  // Strings print escaped ({:?}) so a hostile label cannot break the line in a log. Only the
  // selectors that are set appear, which shows at a glance how the token is chosen.
  std::string out =
      fmt::format("Pkcs11PassthroughConfig{{library_path={:?}", config.library_path.string());
  auto it = std::back_inserter(out);
  if (config.slot_id) fmt::format_to(it, ", slot_id={}", *config.slot_id);
  if (config.token_label) fmt::format_to(it, ", token_label={:?}", *config.token_label);
  if (config.token_serial) fmt::format_to(it, ", token_serial={:?}", *config.token_serial);
  // A parsed URI carries no PIN: pin-value is refused by the parser, pin-source is a path.
  if (config.token_uri) fmt::format_to(it, ", token_uri={:?}", config.token_uri->to_string());
  fmt::format_to(it, ", user_pin={}", config.user_pin ? kRedacted : std::string_view("<unset>"));
  if (config::is_env_name(config.pin_env)) {
    fmt::format_to(it, ", pin_env={}", config.pin_env);
  } else {
    fmt::format_to(it, ", pin_env={:?}", config.pin_env);
  }
  if (config.pin_file) {
    fmt::format_to(it, ", pin_file={:?}", config.pin_file->string());
  } else {
    fmt::format_to(it, ", pin_file=<unset>");
  }
  if (config.init_reserved) {
    fmt::format_to(it, ", init_reserved={:?}", *config.init_reserved);
  } else {
    fmt::format_to(it, ", init_reserved=<unset>");
  }
  if (config.serialize_calls) {
    fmt::format_to(it, ", serialize_calls={}", *config.serialize_calls);
  } else {
    fmt::format_to(it, ", serialize_calls=<profile>");
  }
  fmt::format_to(it, ", vendor_profile={:?}", config.vendor_profile);
  append_vendor_quirks(out, config);
  fmt::format_to(it, ", import_method={}", import_method_name(config.import_method));
  fmt::format_to(
      it,
      ", allow_software_keygen_fallback={}, allow_unprotected_library_path={}"
      ", allow_keys_without_login={}, strict_usages={}, pool_size={}, acquire_timeout_ms={}"
      ", operation_timeout_ms={}, breaker_threshold={}, breaker_cooldown_ms={}, cache_capacity={}"
      ", gcm_max_messages_per_key={}, max_message_bytes={}, concurrency={:?}",
      config.allow_software_keygen_fallback, config.allow_unprotected_library_path,
      config.allow_keys_without_login, config.strict_usages, config.pool_size,
      config.acquire_timeout.count(), config.operation_timeout.count(), config.breaker_threshold,
      config.breaker_cooldown.count(), config.cache_capacity, config.gcm_max_messages_per_key,
      config.max_message_bytes, config.concurrency.to_string());
  append_budget(out, config.budget);
  append_audit(out, config.audit);
  out += '}';
  return out;
}

std::string_view import_method_name(ImportMethod method) noexcept {
  switch (method) {
    case ImportMethod::Auto:
      return "auto";
    case ImportMethod::Create:
      return "create";
    case ImportMethod::Unwrap:
      return "unwrap";
  }
  return "auto";
}

std::ostream& operator<<(std::ostream& out, const Pkcs11PassthroughConfig& config) {
  return out << to_string(config);
}

}  // namespace craton::hsm
