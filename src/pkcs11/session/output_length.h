// SPDX-License-Identifier: Apache-2.0
// The one check of a length a module reports back: what it wrote into an output buffer we gave
// it (C_Sign, C_Encrypt, C_Digest, C_WrapKey, ...), how many items it put in an array
// (C_FindObjects, C_GetSlotList), and an attribute's length (C_GetAttributeValue).
#pragma once

#include <craton/hsm/error.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "pkcs11/loader/cryptoki.h"
#include "pkcs11/loader/functions.h"

namespace craton::hsm::pkcs11 {

// The lengths an answer may have, inclusive. A function that always produces output says so
// with a `min` above zero: CKR_OK with nothing written is then a failure, not an empty result.
struct ExpectedLength {
  std::size_t min = 0;
  std::size_t max = std::numeric_limits<std::size_t>::max();

  static constexpr ExpectedLength exactly(std::size_t n) noexcept { return {n, n}; }
  static constexpr ExpectedLength at_most(std::size_t n) noexcept { return {0, n}; }
  static constexpr ExpectedLength between(std::size_t lo, std::size_t hi) noexcept {
    return {lo, hi};
  }
  static constexpr ExpectedLength some() noexcept {
    return {1, std::numeric_limits<std::size_t>::max()};
  }
};

// The largest attribute value we allocate room for. PKCS#11 sets no limit; certificates and
// RSA moduli are a few KiB, so a module claiming more is broken, and the claim must not become
// a multi-GiB allocation (a vendor's CK_ULONG length is not trusted).
inline constexpr std::size_t kMaxAttributeBytes = std::size_t{1} << 20;

// The length `fn` answered CKR_OK with for an output buffer of `capacity` bytes (or elements),
// when it fits the buffer and `expected`. Errors: Pkcs11Failure naming `fn`, for a length past
// the buffer (the module claims more than it could have written: nothing past the buffer is
// read, nothing is resized to the claim) and for a length outside `expected` (0 from a function
// that must produce output, a signature of the wrong size).
[[nodiscard]] Result<std::size_t> output_length(Fn fn, CK_ULONG reported, std::size_t capacity,
                                                ExpectedLength expected = {});

// "CKA_VALUE", or "attribute 0x..." for one this library never reads.
[[nodiscard]] std::string attribute_name(CK_ATTRIBUTE_TYPE type);

// C_GetAttributeValue's answer for one attribute of `type` after CKR_OK.
namespace attribute_length {

// The length of a length query. CK_UNAVAILABLE_INFORMATION with CKR_OK breaks PKCS#11 v2.40
// §5.7 (an unavailable value comes with CKR_ATTRIBUTE_SENSITIVE or _TYPE_INVALID, mapped
// before this is reached), and a length above kMaxAttributeBytes is not believed: both are
// Pkcs11Failure naming the attribute.
[[nodiscard]] Result<std::size_t> reported(CK_ATTRIBUTE_TYPE type, CK_ULONG length);
// The length written into a buffer of `capacity` bytes: Pkcs11Failure naming the attribute when
// it is unavailable or exceeds the buffer (the value grew between the calls, or the module
// lies).
[[nodiscard]] Result<std::size_t> written(CK_ATTRIBUTE_TYPE type, CK_ULONG length,
                                          std::size_t capacity);
// The length of a fixed-size value (a CK_ULONG, a CK_BBOOL) of `size` bytes: Pkcs11Failure
// naming the attribute for any other length, CK_UNAVAILABLE_INFORMATION included.
[[nodiscard]] Result<void> fixed(CK_ATTRIBUTE_TYPE type, CK_ULONG length, std::size_t size);

}  // namespace attribute_length

}  // namespace craton::hsm::pkcs11
