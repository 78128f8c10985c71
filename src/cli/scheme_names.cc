// SPDX-License-Identifier: Apache-2.0
// Name tables for the CLI's scheme, hash, wrap, format, cipher and key-type arguments.
#include "cli/scheme_names.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>
#include <utility>

#include <fmt/format.h>

namespace craton::hsm::cli {
namespace {

template <typename T>
struct Named {
  std::string_view name;
  T value;
};

constexpr std::array<Named<SignScheme>, 9> kSignSchemes{{
    {"ecdsa-p256-sha256", SignScheme::EcdsaP256Sha256},
    {"ecdsa-p384-sha384", SignScheme::EcdsaP384Sha384},
    {"ed25519", SignScheme::Ed25519},
    {"rsa-pss-sha256", SignScheme::RsaPssSha256},
    {"rsa-pss-sha384", SignScheme::RsaPssSha384},
    {"rsa-pss-sha512", SignScheme::RsaPssSha512},
    {"rsa-pkcs1-sha256", SignScheme::RsaPkcs1v15Sha256},
    {"rsa-pkcs1-sha384", SignScheme::RsaPkcs1v15Sha384},
    {"rsa-pkcs1-sha512", SignScheme::RsaPkcs1v15Sha512},
}};

// SHA-224 is left out: HMAC refuses it and nothing in the CLI needs it.
constexpr std::array<Named<HashAlg>, 3> kHashes{{
    {"sha256", HashAlg::Sha256},
    {"sha384", HashAlg::Sha384},
    {"sha512", HashAlg::Sha512},
}};

constexpr std::array<Named<KeyWrapScheme>, 2> kWrapSchemes{{
    {"kw", KeyWrapScheme::AesKw},
    {"kwp", KeyWrapScheme::AesKwp},
}};

constexpr std::array<Named<CipherKind>, 3> kAesModes{{
    {"aes-gcm", CipherKind::AesGcm},
    {"aes-cbc-pad", CipherKind::AesCbcPad},
    {"aes-ctr", CipherKind::AesCtr},
}};

constexpr std::array<Named<SignatureEncoding>, 2> kFormats{{
    {"der", SignatureEncoding::Der},
    {"raw", SignatureEncoding::Raw},
}};

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

template <typename T, std::size_t N>
std::string names_of(const std::array<Named<T>, N>& table) {
  std::string names;
  for (const auto& entry : table) {
    if (!names.empty()) names += ", ";
    names += entry.name;
  }
  return names;
}

// Looks `name` up in `table`, then among the library's own spellings (`alias`).
template <typename T, std::size_t N, typename AliasFn>
Result<T> lookup(const std::array<Named<T>, N>& table, std::string_view name, std::string_view what,
                 AliasFn alias) {
  for (const auto& entry : table) {
    if (same_ignoring_case(entry.name, name) || same_ignoring_case(alias(entry.value), name)) {
      return entry.value;
    }
  }
  return fail(ErrorCode::InvalidArgument,
              fmt::format("unknown {} {:?} (expected one of: {})", what, name, names_of(table)));
}

constexpr auto kNoAlias = [](auto) { return std::string_view(); };

Result<KeyAlgorithm> pick_size(std::string_view type, std::optional<unsigned> size,
                               std::span<const std::pair<unsigned, KeyAlgorithm>> sizes,
                               unsigned default_size) {
  const unsigned wanted = size.value_or(default_size);
  for (const auto& [bits, algorithm] : sizes) {
    if (bits == wanted) return algorithm;
  }
  std::string allowed;
  for (const auto& [bits, algorithm] : sizes) {
    allowed += fmt::format("{}{}", allowed.empty() ? "" : ", ", bits);
  }
  return fail(ErrorCode::InvalidArgument,
              fmt::format("--size {} is not a {} key size (expected {})", wanted, type, allowed));
}

}  // namespace

Result<SignScheme> parse_sign_scheme(std::string_view name) {
  return lookup(kSignSchemes, name, "signature scheme",
                [](SignScheme scheme) { return scheme_name(scheme); });
}

Result<HashAlg> parse_hash(std::string_view name) {
  return lookup(kHashes, name, "hash", [](HashAlg hash) { return hash_name(hash); });
}

Result<KeyWrapScheme> parse_wrap_scheme(std::string_view name) {
  return lookup(kWrapSchemes, name, "key-wrap scheme", kNoAlias);
}

Result<SignatureEncoding> parse_signature_format(std::string_view name) {
  return lookup(kFormats, name, "signature format", kNoAlias);
}

Result<CipherChoice> parse_cipher(std::string_view name) {
  CipherChoice choice;
  for (const auto& entry : kAesModes) {
    if (same_ignoring_case(name, entry.name)) {
      choice.kind = entry.value;
      return choice;
    }
  }
  constexpr std::string_view kOaep = "rsa-oaep-";
  if (name.size() > kOaep.size() && same_ignoring_case(name.substr(0, kOaep.size()), kOaep)) {
    if (auto hash = parse_hash(name.substr(kOaep.size()))) {
      choice.kind = CipherKind::RsaOaep;
      choice.oaep_hash = *hash;
      return choice;
    }
  }
  return fail(ErrorCode::InvalidArgument,
              fmt::format("unknown algorithm {:?} (expected aes-gcm, aes-cbc-pad, aes-ctr, "
                          "rsa-oaep-sha256, rsa-oaep-sha384 or rsa-oaep-sha512)",
                          name));
}

Result<KeyAlgorithm> parse_key_algorithm(std::string_view type, std::optional<unsigned> size,
                                         const std::optional<std::string>& curve) {
  const bool is_ec = same_ignoring_case(type, "ec");
  if (curve && !is_ec) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("--curve applies to --type ec only, not {:?}", type));
  }
  if (is_ec || same_ignoring_case(type, "ed25519")) {
    if (size) {
      return fail(ErrorCode::InvalidArgument,
                  fmt::format("--size does not apply to --type {} (use --curve for ec)", type));
    }
    if (!is_ec) return KeyAlgorithm::Ed25519;
    const std::string wanted = curve.value_or("p256");
    if (same_ignoring_case(wanted, "p256") || same_ignoring_case(wanted, "p-256")) {
      return KeyAlgorithm::EcP256;
    }
    if (same_ignoring_case(wanted, "p384") || same_ignoring_case(wanted, "p-384")) {
      return KeyAlgorithm::EcP384;
    }
    return fail(ErrorCode::InvalidArgument,
                fmt::format("unknown curve {:?} (expected p256 or p384)", wanted));
  }
  static constexpr std::pair<unsigned, KeyAlgorithm> kAes[] = {
      {128, KeyAlgorithm::Aes128}, {192, KeyAlgorithm::Aes192}, {256, KeyAlgorithm::Aes256}};
  static constexpr std::pair<unsigned, KeyAlgorithm> kRsa[] = {
      {2048, KeyAlgorithm::Rsa2048}, {3072, KeyAlgorithm::Rsa3072}, {4096, KeyAlgorithm::Rsa4096}};
  static constexpr std::pair<unsigned, KeyAlgorithm> kHmac[] = {{256, KeyAlgorithm::Hmac256},
                                                                {512, KeyAlgorithm::Hmac512}};
  if (same_ignoring_case(type, "aes")) return pick_size("aes", size, kAes, 256);
  if (same_ignoring_case(type, "rsa")) return pick_size("rsa", size, kRsa, 3072);
  if (same_ignoring_case(type, "hmac")) return pick_size("hmac", size, kHmac, 256);
  return fail(ErrorCode::InvalidArgument,
              fmt::format("unknown key type {:?} (expected aes, rsa, ec, ed25519 or hmac)", type));
}

std::string sign_scheme_names() {
  return names_of(kSignSchemes);
}

std::string hash_names() {
  return names_of(kHashes);
}

}  // namespace craton::hsm::cli
