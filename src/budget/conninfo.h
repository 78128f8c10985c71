// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL store's connection string, read with libpq's own parser.
#pragma once

#include <craton/hsm/error.h>

#include <string>
#include <string_view>

namespace craton::hsm::budget {

// The options `url` sets (keyword/value or postgresql:// URI), as "host=/run/pg dbname=craton
// user=signer", for describe() and logs. Errors: ConfigInvalid when libpq cannot parse it
// (the message leaves the text and libpq's own words out: either may quote a password) or when
// it sets a password: the password comes from password_env or password_file only.
[[nodiscard]] Result<std::string> conninfo_without_secrets(std::string_view url);

}  // namespace craton::hsm::budget
