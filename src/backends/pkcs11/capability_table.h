// SPDX-License-Identifier: Apache-2.0
// The capability table: for every scheme and operation we offer, how the token does it (its
// own mechanism, its raw mechanism over a host digest, or not at all), built once from
// C_GetMechanismList and C_GetMechanismInfo. A flat array indexed by the scheme: the hot path
// reads one entry, with no lookups or string work (docs/vendors.md, "The capability table").
#pragma once

#include <craton/hsm/capabilities.h>
#include <craton/hsm/error.h>
#include <craton/hsm/pkcs11_info.h>
#include <craton/hsm/schemes.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pkcs11/loader/cryptoki.h"
#include "vendor/vendor_profile.h"

namespace craton::hsm::pkcs11 {

// What an operation was handed: the message, or its digest under the scheme's hash.
enum class SignInput : std::uint8_t { Message, Digest };
enum class AesMode : std::uint8_t { Gcm, Cbc, Ctr };

// Where each family's rows start in the table.
namespace capability_index {
inline constexpr std::size_t kSignSchemes = 9;  // SignScheme's values
inline constexpr std::size_t kHashes = 4;       // HashAlg's values
inline constexpr std::size_t kKeyAlgorithms = 11;
inline constexpr std::size_t kAesModes = 3;     // AesMode's values
inline constexpr std::size_t kWrapSchemes = 2;  // KeyWrapScheme's values
inline constexpr std::size_t kSign = 0;         // scheme x {message, digest} x {sign, verify}
inline constexpr std::size_t kOaep = kSign + kSignSchemes * 4;  // hash x {encrypt, decrypt}
inline constexpr std::size_t kAes = kOaep + kHashes * 2;        // mode x {encrypt, decrypt}
inline constexpr std::size_t kWrap = kAes + kAesModes * 2;      // KW/KWP x {wrap, unwrap}
inline constexpr std::size_t kHmac = kWrap + kWrapSchemes * 2;  // hash (C_Sign for both ways)
inline constexpr std::size_t kEcdh = kHmac + kHashes;
inline constexpr std::size_t kDigest = kEcdh + 1;  // hash
inline constexpr std::size_t kKeygen = kDigest + kHashes;
inline constexpr std::size_t kCount = kKeygen + kKeyAlgorithms;
}  // namespace capability_index

[[nodiscard]] constexpr std::size_t sign_row(SignScheme scheme, SignInput input,
                                             bool verify) noexcept {
  return capability_index::kSign +
         ((static_cast<std::size_t>(scheme) * 2 + static_cast<std::size_t>(input)) * 2) +
         (verify ? 1 : 0);
}
[[nodiscard]] constexpr std::size_t oaep_row(HashAlg hash, bool decrypt) noexcept {
  return capability_index::kOaep + static_cast<std::size_t>(hash) * 2 + (decrypt ? 1 : 0);
}
[[nodiscard]] constexpr std::size_t aes_row(AesMode mode, bool decrypt) noexcept {
  return capability_index::kAes + static_cast<std::size_t>(mode) * 2 + (decrypt ? 1 : 0);
}
[[nodiscard]] constexpr std::size_t wrap_row(KeyWrapScheme scheme, bool unwrap) noexcept {
  return capability_index::kWrap + static_cast<std::size_t>(scheme) * 2 + (unwrap ? 1 : 0);
}
[[nodiscard]] constexpr std::size_t hmac_row(HashAlg hash) noexcept {
  return capability_index::kHmac + static_cast<std::size_t>(hash);
}
[[nodiscard]] constexpr std::size_t ecdh_row() noexcept {
  return capability_index::kEcdh;
}
[[nodiscard]] constexpr std::size_t digest_row(HashAlg hash) noexcept {
  return capability_index::kDigest + static_cast<std::size_t>(hash);
}
[[nodiscard]] constexpr std::size_t keygen_row(KeyAlgorithm algorithm) noexcept {
  return capability_index::kKeygen + static_cast<std::size_t>(algorithm);
}

// One row: how, which mechanism the token is asked, and the key sizes its C_GetMechanismInfo
// allows (0..0: not stated).
struct Choice {
  CapabilityHow how = CapabilityHow::Unsupported;
  CK_MECHANISM_TYPE mechanism = CK_UNAVAILABLE_INFORMATION;
  CK_ULONG min_key = 0;
  CK_ULONG max_key = 0;
  bool per_key_size = false;  // RSA: the key's modulus bits are checked per call
  // CKM_AES_KEY_WRAP_PAD standing in for RFC 5649 on a token whose vendor encodes only inputs
  // that are a multiple of 8 bytes correctly (SoftHSM2): other lengths are refused per call.
  bool block_multiples_only = false;
};

// What the table needs beyond the mechanisms: the names for messages and the vendor rules.
struct TokenFacts {
  std::string token_label;
  std::string token_manufacturer;
  std::string library_manufacturer;
  // From the vendor profile (src/vendor), never from the names above.
  bool oaep_sha1_only = false;  // SoftHSM2 2.6: CKM_RSA_PKCS_OAEP with SHA-1 only
  // What CKM_AES_KEY_WRAP_PAD (0x210A) means here: it stands in for CKM_AES_KEY_WRAP_KWP only
  // when this says RFC 5649 (at every length, or at block multiples only).
  vendor::WrapPadMeaning aes_key_wrap_pad = vendor::WrapPadMeaning::Unknown;
};

// Immutable once built; safe to read from any thread.
class CapabilityTable {
 public:
  CapabilityTable() = default;
  // The rule: the token's combined mechanism when it is listed and its info has the flag for
  // the use and accepts the key size; else the bit-identical host-prehash route through the
  // raw mechanism, under the same conditions; else Unsupported with the reason.
  [[nodiscard]] static CapabilityTable build(std::span<const Pkcs11MechanismInfo> mechanisms,
                                             TokenFacts facts);

  [[nodiscard]] const Choice& at(std::size_t row) const noexcept { return choices_[row]; }
  // Success when the row is supported; otherwise MechanismUnsupported naming the scheme, the
  // operation, the token and why.
  [[nodiscard]] Result<void> require(std::size_t row) const {
    if (choices_[row].how != CapabilityHow::Unsupported) return {};
    return fail(ErrorCode::MechanismUnsupported, reasons_[row]);
  }
  // Success when the mechanism's key-size range (if stated) admits `size`; MechanismUnsupported
  // otherwise. For rows with per_key_size (RSA: modulus bits).
  [[nodiscard]] Result<void> require_key_size(std::size_t row, std::size_t size) const {
    const Choice& choice = choices_[row];
    if (!choice.per_key_size || choice.max_key == 0 || choice.min_key > choice.max_key ||
        (size >= choice.min_key && size <= choice.max_key)) {
      return {};
    }
    return key_size_failure(row, size);
  }
  // Success unless the row's mechanism is right only for block-multiple inputs and `size`
  // (bytes to wrap) is not one: MechanismUnsupported naming the scheme, the token and why.
  [[nodiscard]] Result<void> require_wrap_length(std::size_t row, std::size_t size) const {
    if (!choices_[row].block_multiples_only || size % 8 == 0) return {};
    return wrap_length_failure(row, size);
  }
  // Success when at least one row that uses keys of `kind` is supported (any way); otherwise
  // MechanismUnsupported naming the kind and the token: a key it has no mechanism for is not
  // stored on it (its refusal would say nothing about clear values to import_method = "auto").
  [[nodiscard]] Result<void> require_key_kind(KeyKind kind) const;
  [[nodiscard]] const TokenFacts& facts() const noexcept { return facts_; }
  // Every row, in row order, as the public type.
  [[nodiscard]] std::vector<SchemeCapability> describe() const;

 private:
  [[nodiscard]] Result<void> key_size_failure(std::size_t row, std::size_t size) const;
  [[nodiscard]] Result<void> wrap_length_failure(std::size_t row, std::size_t size) const;

  std::array<Choice, capability_index::kCount> choices_{};
  std::array<std::string, capability_index::kCount> reasons_{};  // empty when supported
  TokenFacts facts_;
};

}  // namespace craton::hsm::pkcs11
