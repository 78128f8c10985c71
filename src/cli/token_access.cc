// SPDX-License-Identifier: Apache-2.0
// open_token with the login rule of each command, and --key URI handling shared by every
// command that works on the token.
#include "cli/token_access.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "cli/io.h"
#include "cli/pin_prompt.h"

namespace craton::hsm::cli {
namespace {

struct CommandLogin {
  std::string_view command;
  LoginNeed need;
};

// Every command craton-hsm has; login_need fails closed for a name missing here.
constexpr std::array kLoginNeeds{
    CommandLogin{"info", LoginNeed::PublicObjects},
    CommandLogin{"list", LoginNeed::PublicObjects},
    CommandLogin{"export-pub", LoginNeed::PublicObjects},
    CommandLogin{"export-cert", LoginNeed::PublicObjects},
    CommandLogin{"verify", LoginNeed::PublicObjects},
    CommandLogin{"keygen", LoginNeed::User},
    CommandLogin{"import", LoginNeed::User},
    CommandLogin{"destroy", LoginNeed::User},
    CommandLogin{"sign", LoginNeed::User},
    CommandLogin{"encrypt", LoginNeed::User},
    CommandLogin{"decrypt", LoginNeed::User},
    CommandLogin{"wrap", LoginNeed::User},
    CommandLogin{"unwrap", LoginNeed::User},
    CommandLogin{"random", LoginNeed::None},
    CommandLogin{"digest", LoginNeed::None},
    CommandLogin{"demo", LoginNeed::None},
    CommandLogin{"bench", LoginNeed::None},
    CommandLogin{"status", LoginNeed::None},
    // Only `audit verify` with a chain key on the token asks (configure_login); with a key file
    // it opens no token at all.
    CommandLogin{"audit", LoginNeed::User},
};

constexpr std::string_view kDefaultPinEnv = "CRATON_HSM_PIN";

// The ways to give a PIN, starting with the variable this configuration actually reads;
// `prompts`: the command asks on a terminal.
std::string pin_sources(const Pkcs11PassthroughConfig& config, bool prompts) {
  const std::string variable =
      config.pin_env == kDefaultPinEnv
          ? std::string(kDefaultPinEnv)
          : fmt::format("{} (the variable pin_env names; it is unset or empty)", config.pin_env);
  return fmt::format(
      "set {} in the environment, or give a PIN file (--pin-file FILE, or pin_file in the "
      "config){}",
      variable, prompts ? "; on a terminal craton-hsm asks for it" : "");
}

// Where the prompt goes: standard error when it is the terminal, else the terminal itself when
// standard input was opened for writing too (as terminals usually are), so a redirected
// stderr does not swallow the question.
int prompt_fd() {
  if (isatty(STDERR_FILENO) == 1) return STDERR_FILENO;
  const int flags = fcntl(STDIN_FILENO, F_GETFL);
  return flags >= 0 && (flags & O_ACCMODE) == O_RDWR ? STDIN_FILENO : STDERR_FILENO;
}

std::optional<std::string> public_objects_note(const GlobalOptions& global,
                                               const CliConfig& config) {
  if (config.config.user_pin || !config.has_selector ||
      login_need(global.command) != LoginNeed::PublicObjects) {
    return std::nullopt;
  }
  return fmt::format(
      "craton-hsm: note: not logged in: public objects only (private and secret keys are not "
      "visible; to log in, {})\n",
      pin_sources(config.config, /*prompts=*/false));
}

Result<SecretString> ask_for_pin(std::string_view command, const Pkcs11PassthroughConfig& config) {
  const std::string token =
      config.token_label ? fmt::format(" of token {:?}", *config.token_label) : std::string();
  const std::string prompt = fmt::format(
      "craton-hsm: {} needs the user's login; enter the user PIN{} (it is not echoed): ", command,
      token);
  auto pin = prompt_for_pin(STDIN_FILENO, prompt_fd(), prompt);
  if (!pin && pin.error().code() == ErrorCode::LoginRequired) {
    return fail(ErrorCode::LoginRequired,
                fmt::format("{} needs the user's login: {}; {}", command, pin.error().message(),
                            pin_sources(config, /*prompts=*/false)));
  }
  return pin;
}

// The key URI with its object attributes removed: what is left names where the key lives.
Pkcs11Uri location_part(const Pkcs11Uri& uri) {
  Pkcs11Uri location = uri;
  location.object.reset();
  location.id.reset();
  location.type.reset();
  return location;
}

}  // namespace

LoginNeed login_need(std::string_view command) noexcept {
  for (const CommandLogin& entry : kLoginNeeds) {
    if (entry.command == command) return entry.need;
  }
  return LoginNeed::User;
}

Result<CliConfig> configure_login(const GlobalOptions& global) {
  CRATON_ASSIGN_OR_RETURN(CliConfig cli_config, build_config(global));
  Pkcs11PassthroughConfig& config = cli_config.config;
  if (config.user_pin || login_need(global.command) != LoginNeed::User ||
      config.allow_keys_without_login) {
    return cli_config;
  }
  // A broken configuration is reported as such, before anyone types a PIN for nothing.
  CRATON_RETURN_IF_ERROR(config.validate());
  if (!stdin_is_terminal()) {
    return fail(ErrorCode::LoginRequired,
                fmt::format("{} needs the user's login, and no PIN is configured: {}",
                            global.command, pin_sources(config, /*prompts=*/true)));
  }
  CRATON_ASSIGN_OR_RETURN(SecretString pin, ask_for_pin(global.command, config));
  config.user_pin = std::move(pin);
  return cli_config;
}

void note_public_objects_only(const GlobalOptions& global, const CliConfig& config) {
  if (const auto note = public_objects_note(global, config)) {
    // A note that cannot be written changes nothing about the command's result.
    (void)std::fwrite(note->data(), 1, note->size(), stderr);
  }
}

Result<std::unique_ptr<Pkcs11Backend>> open_token(const GlobalOptions& global) {
  CRATON_ASSIGN_OR_RETURN(CliConfig cli_config, configure_login(global));
  const std::optional<std::string> note = public_objects_note(global, cli_config);
  CRATON_ASSIGN_OR_RETURN(auto backend, make_pkcs11_backend(std::move(cli_config.config)));
  // Only once the token is open: a configuration or token error stays one line.
  if (note) (void)std::fwrite(note->data(), 1, note->size(), stderr);
  return backend;
}

Result<KeyUri> parse_key_uri(std::string_view text, std::string_view option) {
  auto uri = Pkcs11Uri::parse(text);
  if (!uri) {
    return fail(ErrorCode::InvalidArgument, fmt::format("{}: {}", option, uri.error().message()));
  }
  auto ref = KeyRef::from_uri(*uri);
  if (!ref) {
    return fail(ErrorCode::InvalidArgument, fmt::format("{}: {}", option, ref.error().message()));
  }
  return KeyUri{std::move(*uri), std::move(*ref), std::string(option)};
}

Result<void> check_same_token(const KeyUri& key, const Pkcs11Backend& backend) {
  // Only object attributes: nothing to check, and no C_GetInfo / C_GetSlotInfo to spend.
  if (location_part(key.uri) == Pkcs11Uri{}) return {};
  CRATON_ASSIGN_OR_RETURN(const Pkcs11Uri location, backend.describe_location());
  const std::optional<Pkcs11UriMismatch> mismatch = key.uri.first_mismatch(location);
  if (!mismatch) return {};
  return fail(
      ErrorCode::InvalidArgument,
      fmt::format("{}: the URI names {}={:?}, but the configured token has {}={:?}", key.option,
                  mismatch->attribute, mismatch->wanted, mismatch->attribute, mismatch->actual));
}

Result<Key> resolve_key(Pkcs11Backend& backend, const KeyUri& key) {
  CRATON_RETURN_IF_ERROR(check_same_token(key, backend));
  return backend.find_key(key.ref);
}

}  // namespace craton::hsm::cli
