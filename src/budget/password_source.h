// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL store's password: from an environment variable or a private file, never from
// the connection string or the TOML.
#pragma once

#include <craton/hsm/budget.h>
#include <craton/hsm/error.h>
#include <craton/hsm/secret.h>

#include <optional>

namespace craton::hsm::budget {

// A password ready for libpq: its characters followed by one NUL, so that expose().data() is
// the C string PQconnectStartParams takes, in wiped memory.
struct StorePassword {
  SecretString c_string;
  [[nodiscard]] const char* c_str() const noexcept { return c_string.expose().data(); }
};

// password_env (the variable must be set and not empty) or password_file (a regular file, not
// a symbolic link, no group/other permission bits, at most 1 KiB, one trailing line ending
// stripped); nullopt when neither is set (libpq then authenticates as the connection string
// says: peer, certificate, its own password file). Errors: ConfigInvalid naming the field,
// never the password.
[[nodiscard]] Result<std::optional<StorePassword>> read_store_password(const BudgetConfig& config);

}  // namespace craton::hsm::budget
