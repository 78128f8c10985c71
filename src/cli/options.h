// SPDX-License-Identifier: Apache-2.0
// The global command-line options and how they become a Pkcs11PassthroughConfig.
#pragma once

#include <craton/hsm/config.h>
#include <craton/hsm/error.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <CLI/App.hpp>

namespace craton::hsm::cli {

// What the operator typed; nothing here is validated or read from disk yet. There is
// deliberately no PIN field: a PIN on argv leaks through ps, /proc and shell history.
struct GlobalOptions {
  std::optional<std::filesystem::path> config_file;
  std::optional<std::filesystem::path> module;
  std::optional<std::uint64_t> slot_id;
  std::optional<std::string> token_label;
  std::optional<std::string> token_serial;
  std::optional<std::filesystem::path> pin_file;
  // The subcommand chosen ("keygen"), set once parsing has finished: it decides whether the
  // command needs the user's login (token_access.h).
  std::string command;
};

// Registers --config, --module, --slot, --token-label, --token-serial and --pin-file on `app`
// (the three selectors exclude each other). `options` must outlive parsing.
void add_global_options(CLI::App& app, GlobalOptions& options);

// The configuration a command works with, and whether it names a token.
struct CliConfig {
  Pkcs11PassthroughConfig config;
  bool has_selector = false;
};

// The environment variable that supplies --config when the option is not given.
inline constexpr const char* kConfigEnv = "CRATON_HSM_CONFIG";

// --config FILE, else $CRATON_HSM_CONFIG when set and non-empty, else nothing.
[[nodiscard]] std::optional<std::filesystem::path> configured_config_file(
    const GlobalOptions& options);

// With --config (or $CRATON_HSM_CONFIG): load_config(file), then the command-line values override
// it; a selector given on the command line replaces the file's selector. Without --config: --module
// is required and every other field keeps its default. The PIN comes from --pin-file, else the
// environment variable named by pin_env. Range and selector rules are checked by the commands
// (opening the token validates), because `info` works without a selector. Errors: ConfigInvalid.
[[nodiscard]] Result<CliConfig> build_config(const GlobalOptions& options);

// Finds a PIN option on the command line ("--pin", "--so-pin", "--user-pin", "--set-pin", any
// other long option ending in "-pin", "-p", each also with "=VALUE" or, for -p, the value
// attached), which we refuse before CLI11 sees it so the error message can say how to give a PIN
// and never echoes the value. Returns the offending option name. Stops at "--".
[[nodiscard]] std::optional<std::string_view> find_pin_argument(std::span<char* const> args);

}  // namespace craton::hsm::cli
