// SPDX-License-Identifier: Apache-2.0
// Global options: CLI11 registration, and the merge of config file, command line and environment.
#include "cli/options.h"

#include <cstdlib>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace craton::hsm::cli {
namespace {

bool any_selector(const GlobalOptions& options) {
  return options.slot_id || options.token_label || options.token_serial;
}

// A selector on the command line is the operator's intent for this run; keeping the file's
// selector as well would make the config invalid (exactly one is allowed).
void apply_selector(const GlobalOptions& options, Pkcs11PassthroughConfig& config) {
  if (!any_selector(options)) return;
  config.slot_id = options.slot_id;
  config.token_label = options.token_label;
  config.token_serial = options.token_serial;
  config.token_uri.reset();  // the file's token_uri is a selector too
}

// A path from the command line that names nothing is reported without the path: the operator
// may have typed a PIN where the file name belongs, and error lines end up in logs.
Result<void> require_existing(const std::filesystem::path& path, std::string_view option) {
  std::error_code error;
  if (std::filesystem::symlink_status(path, error).type() !=
      std::filesystem::file_type::not_found) {
    return {};
  }
  return fail(ErrorCode::ConfigInvalid,
              fmt::format("{}: no such file (the name given is not repeated here, in case it was "
                          "a PIN typed in the wrong place)",
                          option));
}

Result<Pkcs11PassthroughConfig> base_config(const GlobalOptions& options) {
  if (const auto file = configured_config_file(options)) {
    CRATON_RETURN_IF_ERROR(
        require_existing(*file, options.config_file ? "--config" : "$CRATON_HSM_CONFIG"));
    return load_config(*file);
  }
  if (!options.module) {
    return fail(ErrorCode::ConfigInvalid,
                "--module PATH is required when no --config FILE is given (the absolute path "
                "of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so)");
  }
  Pkcs11PassthroughConfig config;
  // Same source load_config uses, so both ways of running behave alike. take() wipes the
  // temporary copy; the environment's own buffer is not ours to clear.
  if (const char* pin = std::getenv(config.pin_env.c_str()); pin != nullptr && *pin != '\0') {
    config.user_pin = SecretString::take(std::string(pin));
  }
  return config;
}

}  // namespace

std::optional<std::filesystem::path> configured_config_file(const GlobalOptions& options) {
  if (options.config_file) return options.config_file;
  // An empty value counts as unset, so `CRATON_HSM_CONFIG= craton-hsm ...` switches it off.
  if (const char* file = std::getenv(kConfigEnv); file != nullptr && *file != '\0') {
    return std::filesystem::path(file);
  }
  return std::nullopt;
}

void add_global_options(CLI::App& app, GlobalOptions& options) {
  app.add_option_function<std::string>(
         "--config", [&options](const std::string& value) { options.config_file = value; },
         "TOML configuration file (see README \"Configuration\"); default: $CRATON_HSM_CONFIG")
      ->type_name("FILE");
  app.add_option_function<std::string>(
         "--module", [&options](const std::string& value) { options.module = value; },
         "absolute path of the PKCS#11 library; overrides library_path")
      ->type_name("PATH");
  auto* slot = app.add_option_function<std::uint64_t>(
                      "--slot", [&options](std::uint64_t value) { options.slot_id = value; },
                      "select the token by slot id (ids can move; prefer a label or serial)")
                   ->type_name("N");
  auto* label =
      app.add_option_function<std::string>(
             "--token-label", [&options](const std::string& value) { options.token_label = value; },
             "select the token by label")
          ->type_name("LABEL");
  auto* serial = app.add_option_function<std::string>(
                        "--token-serial",
                        [&options](const std::string& value) { options.token_serial = value; },
                        "select the token by serial number")
                     ->type_name("SERIAL");
  slot->excludes(label)->excludes(serial);
  label->excludes(serial);
  app.add_option_function<std::string>(
         "--pin-file", [&options](const std::string& value) { options.pin_file = value; },
         "file holding the user PIN (mode 0600); otherwise $CRATON_HSM_PIN is used")
      ->type_name("FILE");
}

Result<CliConfig> build_config(const GlobalOptions& options) {
  CRATON_ASSIGN_OR_RETURN(Pkcs11PassthroughConfig config, base_config(options));
  if (options.module) config.library_path = *options.module;
  apply_selector(options, config);
  if (options.pin_file) {
    CRATON_RETURN_IF_ERROR(require_existing(*options.pin_file, "--pin-file"));
    CRATON_ASSIGN_OR_RETURN(SecretString pin, read_pin_file(*options.pin_file));
    config.pin_file = *options.pin_file;
    config.user_pin = std::move(pin);
    // The command line's PIN file replaces the file's, however the file named it.
    if (config.token_uri) config.token_uri->pin_source.reset();
  }
  const bool has_selector =
      config.slot_id || config.token_label || config.token_serial || config.token_uri;
  return CliConfig{std::move(config), has_selector};
}

std::optional<std::string_view> find_pin_argument(std::span<char* const> args) {
  for (const char* arg : args) {
    const std::string_view text(arg);
    if (text == "--") break;  // everything after is positional
    if (text.starts_with("--")) {
      const std::string_view name = text.substr(0, text.find('='));
      if (name == "--pin" || name.ends_with("-pin")) return name;
    } else if (text.starts_with("-p")) {
      return text.substr(0, 2);  // "-p1234" carries its value attached
    }
  }
  return std::nullopt;
}

}  // namespace craton::hsm::cli
