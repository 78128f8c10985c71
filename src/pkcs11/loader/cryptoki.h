// SPDX-License-Identifier: Apache-2.0
// The one include of the PKCS#11 header (Debian's p11-kit copy, v2.40), plus the v3.0
// constants that header lacks. Raw PKCS#11 types belong to the code that makes C_ calls:
// src/pkcs11/ (loader, session, cache, pool), the passthrough backend in src/backends/pkcs11/
// and the benchmark's raw baseline in src/bench/raw/. Nothing else includes this file or a
// header that does: not include/ (the installed API), src/core, src/config, src/uri, src/keys,
// src/audit, src/cli, src/backends/common, src/backends/software, nor the rest of src/bench.
#pragma once

#include <p11-kit/pkcs11.h>

namespace craton::hsm::pkcs11 {

// PKCS#11 v3.0 (OASIS, 2020) values absent from the v2.40 header, each with its section.
// §4.4.1 Common object attributes: CKA_UNIQUE_ID, a token-assigned, never-reused identifier.
inline constexpr CK_ATTRIBUTE_TYPE kCkaUniqueId = 0x00000004UL;
// §6.13.4 AES Key Wrap with Padding per RFC 5649 (v3.0 adds the KWP name).
inline constexpr CK_MECHANISM_TYPE kCkmAesKeyWrapKwp = 0x0000210BUL;
// §5.1.6 Return values added in v3.0.
inline constexpr CK_RV kCkrTokenResourceExceeded = 0x00000201UL;
inline constexpr CK_RV kCkrOperationCancelFailed = 0x00000202UL;

}  // namespace craton::hsm::pkcs11
