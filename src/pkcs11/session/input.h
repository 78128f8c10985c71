// SPDX-License-Identifier: Apache-2.0
// Handing input bytes to C functions that take non-const pointers.
#pragma once

#include <cstdint>
#include <span>

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::pkcs11 {

// The pointer to pass for input `data`. Modules only read inputs; the C prototypes just lack
// const. An empty input still gets a valid pointer: SoftHSM2 answers CKR_ARGUMENTS_BAD to a
// null pointer even with length 0, though the spec allows it.
inline CK_BYTE_PTR input_ptr(std::span<const std::uint8_t> data) noexcept {
  static CK_BYTE nothing = 0;
  return data.empty() ? &nothing : const_cast<CK_BYTE_PTR>(data.data());
}

inline CK_ULONG input_len(std::span<const std::uint8_t> data) noexcept {
  return static_cast<CK_ULONG>(data.size());
}

}  // namespace craton::hsm::pkcs11
