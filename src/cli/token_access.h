// SPDX-License-Identifier: Apache-2.0
// Opening the configured token for a command, and turning a --key URI into a key on it.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/pkcs11_uri.h>
#include <craton/hsm/resident_keys.h>

#include <memory>
#include <string_view>

#include "cli/options.h"

namespace craton::hsm::cli {

// build_config, then make_pkcs11_backend: logs in, and opens the config's audit trail.
// Errors: those of both (ConfigInvalid without a token selector).
[[nodiscard]] Result<std::unique_ptr<Pkcs11Backend>> open_token(const GlobalOptions& global);

// A key named on the command line: the reference, plus the token attributes the URI carried
// (checked against the opened token, so a URI copied from another token never silently
// selects a same-named key here).
struct KeyUri {
  Pkcs11Uri uri;
  KeyRef ref;
};

// Parses `text` ("pkcs11:object=signing-1;type=private", token attributes optional) before
// any token is opened, so a typo fails fast and without a PIN. Errors: InvalidArgument.
[[nodiscard]] Result<KeyUri> parse_key_uri(std::string_view text, std::string_view option);

// InvalidArgument when the key URI names a token (token, serial, manufacturer, model) that
// is not the one `backend` works on.
[[nodiscard]] Result<void> check_same_token(const KeyUri& key, const Pkcs11Backend& backend);

// check_same_token, then find_key. Errors: InvalidArgument, KeyNotFound, KeyAmbiguous.
[[nodiscard]] Result<Key> resolve_key(Pkcs11Backend& backend, const KeyUri& key);

}  // namespace craton::hsm::cli
