// SPDX-License-Identifier: Apache-2.0
// Pkcs11PassthroughConfig::validate(): the rules a config must meet however it was built.
#include <craton/hsm/config.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "config/rules.h"
#include "config/validate_parts.h"

namespace craton::hsm {
namespace {

Result<void> check_library_path(const std::filesystem::path& path) {
  if (path.empty()) {
    return fail(ErrorCode::ConfigInvalid,
                "library_path: required (absolute path of the PKCS#11 module; or token_uri "
                "with module-path)");
  }
  // A relative path would be searched by dlopen (LD_LIBRARY_PATH, cwd-relative), letting the
  // environment choose which code gets the PIN.
  if (!path.is_absolute()) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("library_path: must be an absolute path, got {:?}", path.string()));
  }
  return {};
}

Result<void> check_selector_text(std::string_view field, const std::string& value,
                                 std::size_t max_bytes) {
  if (value.empty()) {
    return fail(ErrorCode::ConfigInvalid, fmt::format("{}: must not be empty", field));
  }
  if (value.size() > max_bytes) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("{}: must be at most {} bytes (the PKCS#11 field size), got {}", field,
                            max_bytes, value.size()));
  }
  return {};
}

// Exactly one selector: with two, which token we reach would depend on which one we checked
// first, and a mismatch between them would go unnoticed.
Result<void> check_selectors(const Pkcs11PassthroughConfig& config) {
  std::vector<std::string_view> set;
  if (config.slot_id) set.emplace_back("slot_id");
  if (config.token_label) set.emplace_back("token_label");
  if (config.token_serial) set.emplace_back("token_serial");
  if (config.token_uri) set.emplace_back("token_uri");
  if (set.empty()) {
    return fail(ErrorCode::ConfigInvalid,
                "slot_id/token_label/token_serial/token_uri: exactly one must be set to select "
                "the token, none is");
  }
  if (set.size() > 1) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("{}: exactly one of slot_id, token_label, token_serial, token_uri "
                            "may be set",
                            fmt::join(set, ", ")));
  }
  if (config.token_label) {
    CRATON_RETURN_IF_ERROR(
        check_selector_text("token_label", *config.token_label, config::kTokenLabelMaxBytes));
  }
  if (config.token_serial) {
    CRATON_RETURN_IF_ERROR(
        check_selector_text("token_serial", *config.token_serial, config::kTokenSerialMaxBytes));
  }
  return {};
}

Result<void> check_pin_source(const Pkcs11PassthroughConfig& config) {
  if (!config::is_env_name(config.pin_env)) {
    return fail(
        ErrorCode::ConfigInvalid,
        fmt::format("pin_env: must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*), "
                    "got {:?}",
                    config.pin_env));
  }
  if (config.pin_file && config.pin_file->empty()) {
    return fail(ErrorCode::ConfigInvalid, "pin_file: must not be empty when set");
  }
  return {};
}

// pReserved is handed over as a C string: an embedded NUL would silently cut it short.
Result<void> check_init_reserved(const std::optional<std::string>& value) {
  if (!value) return {};
  if (value->empty() || value->size() > config::kInitReservedMaxBytes) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("init_reserved: must be 1..{} bytes when set, got {}",
                            config::kInitReservedMaxBytes, value->size()));
  }
  if (value->find('\0') != std::string::npos) {
    return fail(ErrorCode::ConfigInvalid,
                "init_reserved: must not contain a NUL byte (it is passed as a C string)");
  }
  return {};
}

}  // namespace

Result<void> Pkcs11PassthroughConfig::validate() const {
  CRATON_RETURN_IF_ERROR(check_library_path(config::effective_library_path(*this)));
  CRATON_RETURN_IF_ERROR(check_selectors(*this));
  CRATON_RETURN_IF_ERROR(config::check_token_uri(*this));
  CRATON_RETURN_IF_ERROR(check_pin_source(*this));
  CRATON_RETURN_IF_ERROR(check_init_reserved(init_reserved));
  CRATON_RETURN_IF_ERROR(config::check_vendor(*this));
  CRATON_RETURN_IF_ERROR(
      config::check_range("pool_size", std::uint64_t{pool_size}, config::kPoolSizeRange));
  CRATON_RETURN_IF_ERROR(config::check_range(
      "acquire_timeout_ms", std::int64_t{acquire_timeout.count()}, config::kAcquireTimeoutMsRange));
  CRATON_RETURN_IF_ERROR(config::check_range("operation_timeout_ms",
                                             std::int64_t{operation_timeout.count()},
                                             config::kOperationTimeoutMsRange));
  CRATON_RETURN_IF_ERROR(config::check_range("breaker_threshold", std::uint64_t{breaker_threshold},
                                             config::kBreakerThresholdRange));
  CRATON_RETURN_IF_ERROR(config::check_range("breaker_cooldown_ms",
                                             std::int64_t{breaker_cooldown.count()},
                                             config::kBreakerCooldownMsRange));
  CRATON_RETURN_IF_ERROR(config::check_range("cache_capacity", std::uint64_t{cache_capacity},
                                             config::kCacheCapacityRange));
  CRATON_RETURN_IF_ERROR(config::check_range("gcm_max_messages_per_key", gcm_max_messages_per_key,
                                             config::kGcmMaxMessagesRange));
  CRATON_RETURN_IF_ERROR(
      config::check_range("max_message_bytes", max_message_bytes, config::kMaxMessageBytesRange));
  for (std::size_t i = 0; i < kOperationClassCount; ++i) {
    if (concurrency.limits[i].mode != ConcurrencyLimit::Mode::Fixed) continue;
    CRATON_RETURN_IF_ERROR(config::check_range(
        fmt::format("concurrency.{}", operation_class_name(static_cast<OperationClass>(i))),
        std::uint64_t{concurrency.limits[i].fixed}, config::kConcurrencyRange));
  }
  CRATON_RETURN_IF_ERROR(config::check_budget(budget));
  if (audit) CRATON_RETURN_IF_ERROR(config::check_audit(*audit));
  return {};
}

}  // namespace craton::hsm
