// SPDX-License-Identifier: Apache-2.0
// open_token and --key URI handling shared by every command that works on the token.
#include "cli/token_access.h"

#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace craton::hsm::cli {
namespace {

Result<void> check_attribute(std::string_view name, const std::optional<std::string>& in_key,
                             const std::optional<std::string>& of_token) {
  if (!in_key || in_key == of_token) return {};
  return fail(ErrorCode::InvalidArgument,
              fmt::format("the key URI names {}={:?}, but the configured token has {:?}", name,
                          *in_key, of_token.value_or("")));
}

}  // namespace

Result<std::unique_ptr<Pkcs11Backend>> open_token(const GlobalOptions& global) {
  CRATON_ASSIGN_OR_RETURN(CliConfig cli_config, build_config(global));
  return make_pkcs11_backend(std::move(cli_config.config));
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
  return KeyUri{std::move(*uri), std::move(*ref)};
}

Result<void> check_same_token(const KeyUri& key, const Pkcs11Backend& backend) {
  if (key.uri.selects_any_token()) return {};
  CRATON_ASSIGN_OR_RETURN(const Pkcs11Uri token, Pkcs11Uri::parse(backend.token_uri()));
  CRATON_RETURN_IF_ERROR(check_attribute("token", key.uri.token, token.token));
  CRATON_RETURN_IF_ERROR(check_attribute("serial", key.uri.serial, token.serial));
  CRATON_RETURN_IF_ERROR(check_attribute("manufacturer", key.uri.manufacturer, token.manufacturer));
  return check_attribute("model", key.uri.model, token.model);
}

Result<Key> resolve_key(Pkcs11Backend& backend, const KeyUri& key) {
  CRATON_RETURN_IF_ERROR(check_same_token(key, backend));
  return backend.find_key(key.ref);
}

}  // namespace craton::hsm::cli
