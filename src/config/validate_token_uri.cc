// SPDX-License-Identifier: Apache-2.0
// The token_uri rules: a URI that names a token, and the same module as library_path.
#include <string>

#include <fmt/format.h>

#include "config/rules.h"
#include "config/validate_parts.h"
#include "uri/attributes.h"

namespace craton::hsm::config {
namespace {

namespace fs = std::filesystem;

Result<void> check_length(std::string_view attribute, const std::optional<std::string>& value,
                          std::size_t max_bytes) {
  if (!value || value->size() <= max_bytes) return {};
  return fail(ErrorCode::ConfigInvalid,
              fmt::format("token_uri: {} must be at most {} bytes (the PKCS#11 field size), got {}",
                          attribute, max_bytes, value->size()));
}

}  // namespace

Result<void> check_token_uri(const Pkcs11PassthroughConfig& config) {
  if (!config.token_uri) return {};
  const Pkcs11Uri& uri = *config.token_uri;
  // The URI chooses a token; keys are named per operation. An object here would be ignored.
  if (!uri.names_no_object()) {
    return fail(ErrorCode::ConfigInvalid,
                "token_uri: must name a token, not an object (remove object=, id= and type=)");
  }
  if (uri.selects_any_token()) {
    return fail(ErrorCode::ConfigInvalid,
                "token_uri: names no token attribute; set at least one of token, manufacturer, "
                "serial, model, slot-id, slot-description, slot-manufacturer");
  }
  CRATON_RETURN_IF_ERROR(check_length("token", uri.token, kTokenLabelMaxBytes));
  CRATON_RETURN_IF_ERROR(
      check_length("manufacturer", uri.manufacturer, kTokenManufacturerMaxBytes));
  CRATON_RETURN_IF_ERROR(check_length("serial", uri.serial, kTokenSerialMaxBytes));
  CRATON_RETURN_IF_ERROR(check_length("model", uri.model, kTokenModelMaxBytes));
  CRATON_RETURN_IF_ERROR(
      check_length("slot-description", uri.slot_description, kSlotDescriptionMaxBytes));
  CRATON_RETURN_IF_ERROR(
      check_length("slot-manufacturer", uri.slot_manufacturer, kSlotManufacturerMaxBytes));

  // Two names for the module that disagree: refuse rather than guess which one was meant.
  if (uri.module_path && !config.library_path.empty() &&
      fs::path(*uri.module_path).lexically_normal() != config.library_path.lexically_normal()) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("token_uri: module-path {:?} disagrees with library_path {:?}",
                            *uri.module_path, config.library_path.string()));
  }
  const fs::path library = effective_library_path(config);
  if (uri.pin_source && !uri.pin_source_file()) {
    return fail(ErrorCode::ConfigInvalid,
                "token_uri: pin-source must be file:/absolute/path or /absolute/path");
  }
  // Two PIN files: refuse rather than guess which one was meant.
  if (uri.pin_source && config.pin_file) {
    return fail(ErrorCode::ConfigInvalid,
                "token_uri: pin-source and pin_file both name the PIN file; keep one");
  }
  if (uri.module_name && !library.empty() && *uri.module_name != uri::module_name_of(library)) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("token_uri: module-name {:?} does not name library_path {:?} "
                            "(its module-name is {:?})",
                            *uri.module_name, library.string(), uri::module_name_of(library)));
  }
  return {};
}

}  // namespace craton::hsm::config
