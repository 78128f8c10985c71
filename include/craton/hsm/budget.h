// SPDX-License-Identifier: Apache-2.0
// BudgetConfig: where AES-GCM message budgets are counted (docs/budgets.md). In memory (the
// default) a count lives as long as the process; a durable store (an SQLite file for the
// processes of one host, a PostgreSQL database for a fleet) makes every encryption under a key,
// by every process that shares the store and the identity key, count against one number.
#pragma once

#include <craton/hsm/export.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace craton::hsm {

enum class BudgetStoreKind : std::uint8_t { Memory, Sqlite, Postgresql };
// "memory", "sqlite", "postgresql".
[[nodiscard]] CRATON_HSM_API std::string_view budget_store_name(BudgetStoreKind kind) noexcept;

// The [budget] table. The limit itself stays gcm_max_messages_per_key.
struct CRATON_HSM_API BudgetConfig {
  BudgetStoreKind store = BudgetStoreKind::Memory;
  // Sqlite: the store's file (created 0600; refused when group/world accessible).
  std::optional<std::filesystem::path> path;
  // Postgresql: a libpq connection string ("host=/run/pg dbname=craton user=signer" or a
  // postgresql:// URI). It must not carry a password: that comes from password_env or
  // password_file (a 0600 file), never from the TOML.
  std::optional<std::string> url;
  std::optional<std::string> password_env;
  std::optional<std::filesystem::path> password_file;
  // The budget identity key, exactly one of them for a durable store: keys are named in the
  // store by an HMAC under it, so that processes (and hosts) holding the same key share one
  // budget and the store reveals nothing about the key. A key file as the audit trail's
  // (32..64 random bytes, 0600), or the label of an HMAC key on the token.
  std::optional<std::filesystem::path> identity_key_file;
  std::optional<std::string> identity_key_label;
  // Counts reserved at a time per key: the block grows with the key's rate between these
  // bounds. What a process has reserved and not spent is lost when it dies (counted as used),
  // so block_max bounds that loss per key and process. 65536 is about one second of a fast
  // token's AES-GCM (one store round trip a second for a hot key) and 1/65536 of the default
  // limit.
  std::uint64_t block_min = 16;
  std::uint64_t block_max = 65536;
  // Bounds each store round trip (connect or statement); a store that does not answer in time
  // is BudgetStoreUnavailable.
  std::uint32_t timeout_ms = 2000;
};

}  // namespace craton::hsm
