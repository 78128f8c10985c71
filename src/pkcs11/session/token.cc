// SPDX-License-Identifier: Apache-2.0
// Reading library, slot, token and mechanism information, and selecting a token.
#include "pkcs11/session/token.h"

#include <array>
#include <span>
#include <utility>

#include <fmt/format.h>

#include "pkcs11/session/mechanism_names.h"
#include "pkcs11/session/size_query.h"
#include "pkcs11/session/text_field.h"
#include "pkcs11/session/token_uri_match.h"

namespace craton::hsm::pkcs11 {
namespace {

Version version_of(const CK_VERSION& version) {
  return {version.major, version.minor};
}

std::optional<std::uint64_t> count_of(CK_ULONG value) {
  if (value == CK_UNAVAILABLE_INFORMATION || value == CK_EFFECTIVELY_INFINITE) return std::nullopt;
  return value;
}

std::string describe_selector(const TokenSelector& selector) {
  struct Describe {
    std::string operator()(const BySlotId& s) const { return fmt::format("slot_id {}", s.slot_id); }
    std::string operator()(const ByLabel& s) const { return fmt::format("label '{}'", s.label); }
    std::string operator()(const BySerial& s) const { return fmt::format("serial '{}'", s.serial); }
    std::string operator()(const ByUri& s) const { return fmt::format("URI '{}'", s.uri); }
  };
  return std::visit(Describe{}, selector);
}

Result<bool> matches(const Module& module, const TokenSelector& selector,
                     const TokenDescription& token) {
  struct Match {
    const Module& module;
    const TokenDescription& token;
    Result<bool> operator()(const BySlotId& s) const { return token.slot_id == s.slot_id; }
    Result<bool> operator()(const ByLabel& s) const { return token.label == s.label; }
    Result<bool> operator()(const BySerial& s) const { return token.serial == s.serial; }
    Result<bool> operator()(const ByUri& s) const {
      return uri_matches_token(module, s.uri, token);
    }
  };
  return std::visit(Match{module, token}, selector);
}

using FlagName = std::pair<CK_FLAGS, std::string_view>;

std::vector<std::string_view> names_of(std::uint64_t flags, std::span<const FlagName> table) {
  std::vector<std::string_view> names;
  for (const auto& [bit, name] : table) {
    if ((flags & bit) != 0) names.push_back(name);
  }
  return names;
}

constexpr std::array<FlagName, 17> kMechanismFlags{{
    {CKF_HW, "HW"},
    {CKF_ENCRYPT, "ENCRYPT"},
    {CKF_DECRYPT, "DECRYPT"},
    {CKF_DIGEST, "DIGEST"},
    {CKF_SIGN, "SIGN"},
    {CKF_SIGN_RECOVER, "SIGN_RECOVER"},
    {CKF_VERIFY, "VERIFY"},
    {CKF_VERIFY_RECOVER, "VERIFY_RECOVER"},
    {CKF_GENERATE, "GENERATE"},
    {CKF_GENERATE_KEY_PAIR, "GENERATE_KEY_PAIR"},
    {CKF_WRAP, "WRAP"},
    {CKF_UNWRAP, "UNWRAP"},
    {CKF_DERIVE, "DERIVE"},
    {CKF_EC_F_P, "EC_F_P"},
    {CKF_EC_NAMEDCURVE, "EC_NAMEDCURVE"},
    {CKF_EC_UNCOMPRESS, "EC_UNCOMPRESS"},
    {CKF_EC_COMPRESS, "EC_COMPRESS"},
}};

constexpr std::array<FlagName, 18> kTokenFlags{{
    {CKF_RNG, "RNG"},
    {CKF_WRITE_PROTECTED, "WRITE_PROTECTED"},
    {CKF_LOGIN_REQUIRED, "LOGIN_REQUIRED"},
    {CKF_USER_PIN_INITIALIZED, "USER_PIN_INITIALIZED"},
    {CKF_RESTORE_KEY_NOT_NEEDED, "RESTORE_KEY_NOT_NEEDED"},
    {CKF_CLOCK_ON_TOKEN, "CLOCK_ON_TOKEN"},
    {CKF_PROTECTED_AUTHENTICATION_PATH, "PROTECTED_AUTHENTICATION_PATH"},
    {CKF_DUAL_CRYPTO_OPERATIONS, "DUAL_CRYPTO_OPERATIONS"},
    {CKF_TOKEN_INITIALIZED, "TOKEN_INITIALIZED"},
    {CKF_SECONDARY_AUTHENTICATION, "SECONDARY_AUTHENTICATION"},
    {CKF_USER_PIN_COUNT_LOW, "USER_PIN_COUNT_LOW"},
    {CKF_USER_PIN_FINAL_TRY, "USER_PIN_FINAL_TRY"},
    {CKF_USER_PIN_LOCKED, "USER_PIN_LOCKED"},
    {CKF_USER_PIN_TO_BE_CHANGED, "USER_PIN_TO_BE_CHANGED"},
    {CKF_SO_PIN_COUNT_LOW, "SO_PIN_COUNT_LOW"},
    {CKF_SO_PIN_FINAL_TRY, "SO_PIN_FINAL_TRY"},
    {CKF_SO_PIN_LOCKED, "SO_PIN_LOCKED"},
    {CKF_SO_PIN_TO_BE_CHANGED, "SO_PIN_TO_BE_CHANGED"},
}};

}  // namespace

Result<LibraryDescription> describe_library(const Module& module) {
  CK_INFO info{};
  CRATON_RETURN_IF_ERROR(module.call<Fn::GetInfo>(&info));
  return LibraryDescription{text_field(info.manufacturerID), text_field(info.libraryDescription),
                            version_of(info.libraryVersion), version_of(info.cryptokiVersion)};
}

Result<std::vector<std::uint64_t>> slots_with_token(const Module& module) {
  CRATON_ASSIGN_OR_RETURN(
      const std::vector<CK_SLOT_ID> slots,
      query_list<CK_SLOT_ID>(Fn::GetSlotList, [&](CK_SLOT_ID* buffer, CK_ULONG* count) {
        return module.invoke<Fn::GetSlotList>(static_cast<CK_BBOOL>(CK_TRUE), buffer, count);
      }));
  return std::vector<std::uint64_t>(slots.begin(), slots.end());
}

Result<TokenDescription> describe_token(const Module& module, std::uint64_t slot) {
  CK_TOKEN_INFO info{};
  CRATON_RETURN_IF_ERROR(module.call<Fn::GetTokenInfo>(static_cast<CK_SLOT_ID>(slot), &info));
  return TokenDescription{
      .slot_id = slot,
      .label = text_field(info.label),
      .manufacturer = text_field(info.manufacturerID),
      .model = text_field(info.model),
      .serial = text_field(info.serialNumber),
      .flags = info.flags,
      .max_session_count = count_of(info.ulMaxSessionCount),
      .session_count = count_of(info.ulSessionCount),
      .max_rw_session_count = count_of(info.ulMaxRwSessionCount),
      .rw_session_count = count_of(info.ulRwSessionCount),
      .min_pin_length = info.ulMinPinLen,
      .max_pin_length = info.ulMaxPinLen,
      .hardware_version = version_of(info.hardwareVersion),
      .firmware_version = version_of(info.firmwareVersion),
  };
}

Result<SlotDescription> describe_slot(const Module& module, std::uint64_t slot) {
  CK_SLOT_INFO info{};
  CRATON_RETURN_IF_ERROR(module.call<Fn::GetSlotInfo>(static_cast<CK_SLOT_ID>(slot), &info));
  return SlotDescription{slot, text_field(info.slotDescription), text_field(info.manufacturerID)};
}

Result<std::vector<TokenDescription>> describe_tokens(const Module& module) {
  CRATON_ASSIGN_OR_RETURN(const std::vector<std::uint64_t> slots, slots_with_token(module));
  std::vector<TokenDescription> tokens;
  tokens.reserve(slots.size());
  for (const std::uint64_t slot : slots) {
    auto token = describe_token(module, slot);
    // A token pulled out between the two calls is simply not there any more.
    if (!token && token.error().code() == ErrorCode::TokenNotPresent) continue;
    if (!token) return std::unexpected(std::move(token).error());
    tokens.push_back(std::move(*token));
  }
  return tokens;
}

Result<std::vector<MechanismDescription>> describe_mechanisms(const Module& module,
                                                              std::uint64_t slot) {
  const auto slot_id = static_cast<CK_SLOT_ID>(slot);
  CRATON_ASSIGN_OR_RETURN(
      const std::vector<CK_MECHANISM_TYPE> types,
      query_list<CK_MECHANISM_TYPE>(
          Fn::GetMechanismList, [&](CK_MECHANISM_TYPE* buffer, CK_ULONG* count) {
            return module.invoke<Fn::GetMechanismList>(slot_id, buffer, count);
          }));
  std::vector<MechanismDescription> mechanisms;
  mechanisms.reserve(types.size());
  for (const CK_MECHANISM_TYPE type : types) {
    CK_MECHANISM_INFO info{};
    CRATON_RETURN_IF_ERROR(module.call<Fn::GetMechanismInfo>(slot_id, type, &info));
    mechanisms.push_back(
        {type, describe_mechanism(type), info.ulMinKeySize, info.ulMaxKeySize, info.flags});
  }
  return mechanisms;
}

Result<std::uint64_t> select_token(const Module& module, const TokenSelector& selector) {
  const auto* by_uri = std::get_if<ByUri>(&selector);
  if (by_uri != nullptr) CRATON_RETURN_IF_ERROR(check_uri_library(module, by_uri->uri));
  CRATON_ASSIGN_OR_RETURN(const std::vector<TokenDescription> tokens, describe_tokens(module));
  std::vector<const TokenDescription*> found;
  for (const auto& token : tokens) {
    CRATON_ASSIGN_OR_RETURN(const bool match, matches(module, selector, token));
    if (match) found.push_back(&token);
  }
  if (found.size() == 1) return found.front()->slot_id;

  std::string available;
  for (const auto& token : tokens) {
    available += fmt::format("{}[slot {} label '{}' serial '{}']", available.empty() ? "" : ", ",
                             token.slot_id, token.label, token.serial);
  }
  if (available.empty()) available = "none";
  if (found.empty()) {
    return fail(ErrorCode::TokenNotFound, fmt::format("no token with {}; tokens present: {}",
                                                      describe_selector(selector), available));
  }
  if (by_uri != nullptr) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("token URI matches {} tokens; add serial= to choose one (URI '{}'; "
                            "tokens present: {})",
                            found.size(), by_uri->uri, available));
  }
  return fail(ErrorCode::TokenNotFound,
              fmt::format("{} tokens match {}; select by serial instead. Tokens present: {}",
                          found.size(), describe_selector(selector), available));
}

}  // namespace craton::hsm::pkcs11

namespace craton::hsm {

// Declared in the public craton/hsm/pkcs11_info.h; the CKF_ tables live here, with the header.
std::vector<std::string_view> mechanism_flag_names(std::uint64_t flags) {
  return pkcs11::names_of(flags, pkcs11::kMechanismFlags);
}

std::vector<std::string_view> token_flag_names(std::uint64_t flags) {
  return pkcs11::names_of(flags, pkcs11::kTokenFlags);
}

}  // namespace craton::hsm
