// SPDX-License-Identifier: Apache-2.0
// RFC 7512 §2.4 matching of a token URI against what the module reports: an absent attribute
// matches anything, a present one must be equal.
#include "pkcs11/session/token_uri_match.h"

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {

// Pkcs11Uri::first_mismatch is the one RFC 7512 §2.4 comparison (blank padding, "M" = "M.0");
// each function here hands it only the attributes it answers for.
Result<bool> uri_matches_token(const Module& module, const Pkcs11Uri& uri,
                               const TokenDescription& token) {
  Pkcs11Uri wanted;
  wanted.token = uri.token;
  wanted.manufacturer = uri.manufacturer;
  wanted.serial = uri.serial;
  wanted.model = uri.model;
  wanted.slot_id = uri.slot_id;
  wanted.slot_description = uri.slot_description;
  wanted.slot_manufacturer = uri.slot_manufacturer;
  Pkcs11Uri described;
  described.token = token.label;
  described.manufacturer = token.manufacturer;
  described.serial = token.serial;
  described.model = token.model;
  described.slot_id = token.slot_id;
  if (uri.slot_description || uri.slot_manufacturer) {
    CRATON_ASSIGN_OR_RETURN(const SlotDescription slot, describe_slot(module, token.slot_id));
    described.slot_description = slot.description;
    described.slot_manufacturer = slot.manufacturer;
  }
  return !wanted.first_mismatch(described);
}

Result<void> check_uri_library(const Module& module, const Pkcs11Uri& uri) {
  if (!uri.library_manufacturer && !uri.library_description && !uri.library_version) return {};
  CRATON_ASSIGN_OR_RETURN(const LibraryDescription library, describe_library(module));
  Pkcs11Uri wanted;
  wanted.library_manufacturer = uri.library_manufacturer;
  wanted.library_description = uri.library_description;
  wanted.library_version = uri.library_version;
  Pkcs11Uri described;
  described.library_manufacturer = library.manufacturer;
  described.library_description = library.description;
  described.library_version =
      fmt::format("{}.{}", library.library_version.major, library.library_version.minor);
  if (!wanted.first_mismatch(described)) return {};
  return fail(ErrorCode::TokenNotFound,
              fmt::format("token URI '{}' names another library: this module is "
                          "library-manufacturer '{}', library-description '{}', "
                          "library-version {}.{}",
                          uri, library.manufacturer, library.description,
                          library.library_version.major, library.library_version.minor));
}

}  // namespace craton::hsm::pkcs11
