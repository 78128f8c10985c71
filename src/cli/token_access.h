// SPDX-License-Identifier: Apache-2.0
// Opening the configured token for a command (logging in as the command needs), and turning a
// --key URI into a key on it.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/pkcs11_uri.h>
#include <craton/hsm/resident_keys.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "cli/options.h"

namespace craton::hsm::cli {

// What a command needs of the token's login.
enum class LoginNeed {
  None,           // no key objects: random, digest, demo, bench
  PublicObjects,  // looks objects up, and says so when it sees public ones only: list, info,
                  // export-pub, verify
  User,           // uses or changes private and secret keys: keygen, destroy, sign, encrypt,
                  // decrypt, wrap, unwrap, import, and audit verify with a chain key on the token
};

// The need of the command named `command`; a name not in the table needs the user (a command
// added without thought for its login fails closed).
[[nodiscard]] LoginNeed login_need(std::string_view command) noexcept;

// build_config, then the PIN rule of global.command. Without a PIN (no pin_file, pin_env's
// variable unset or empty) a command that needs the user asks for one on a terminal
// (prompt_for_pin on standard input, the prompt on standard error) and fails with
// LoginRequired, saying how to give it, anywhere else (no terminal: never a prompt, never a
// wait); allow_keys_without_login = true in the config lets it run without (for tokens that
// have no PIN). The config is validated before anyone is asked for a PIN. Errors: those of
// build_config and validate (ConfigInvalid), LoginRequired, and prompt_for_pin's.
[[nodiscard]] Result<CliConfig> configure_login(const GlobalOptions& global);

// Prints "craton-hsm: note: not logged in: public objects only (...)" on standard error when
// the command looks objects up (LoginNeed::PublicObjects, on a selected token) and `config`
// has no PIN: silence would pass an empty or partial list off as the whole token.
void note_public_objects_only(const GlobalOptions& global, const CliConfig& config);

// configure_login, then make_pkcs11_backend: logs in when there is a PIN, and opens the
// config's audit trail; then note_public_objects_only. Errors: those of both (ConfigInvalid
// without a token selector).
[[nodiscard]] Result<std::unique_ptr<Pkcs11Backend>> open_token(const GlobalOptions& global);

// A key named on the command line: the reference, plus the token, slot, library and module
// attributes the URI carried (checked against the opened token, so a URI copied from another
// token never silently selects a same-named key here), and the option that gave it.
struct KeyUri {
  Pkcs11Uri uri;
  KeyRef ref;
  std::string option;  // "--key", "--kek"
};

// Parses `text` ("pkcs11:object=signing-1;type=private", token attributes optional) before
// any token is opened, so a typo fails fast and without a PIN. A pin-source is refused (the
// login is the configuration's: --pin-file, pin_file, token_uri's pin-source or the
// environment), and never repeated. Errors: InvalidArgument.
[[nodiscard]] Result<KeyUri> parse_key_uri(std::string_view text, std::string_view option);

// Every RFC 7512 attribute the key URI sets besides the object's (token, manufacturer, serial,
// model, slot-id, slot-description, slot-manufacturer, library-manufacturer,
// library-description, library-version, module-name, module-path) must describe the module,
// slot and token `backend` works on (Pkcs11Uri::first_mismatch against describe_location()).
// Errors: InvalidArgument naming the first attribute that differs and both values; those of
// describe_location.
[[nodiscard]] Result<void> check_same_token(const KeyUri& key, const Pkcs11Backend& backend);

// check_same_token, then find_key. Errors: InvalidArgument, KeyNotFound, KeyAmbiguous.
// CKA_ID bytes drawn from the token for a key created without --id.
inline constexpr std::size_t kRandomIdBytes = 8;

[[nodiscard]] Result<Key> resolve_key(Pkcs11Backend& backend, const KeyUri& key);

}  // namespace craton::hsm::cli
