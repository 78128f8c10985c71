// SPDX-License-Identifier: Apache-2.0
// The PKCS#11 two-call convention (v2.40 §5.2: a null buffer asks for the length, a second
// call fills it), written once.
#pragma once

#include <craton/hsm/error.h>

#include <vector>

#include "pkcs11/loader/functions.h"
#include "pkcs11/loader/rv_map.h"
#include "pkcs11/session/output_length.h"

namespace craton::hsm::pkcs11 {

// `query(T* buffer, CK_ULONG* count) -> CK_RV`. Asks for the count, fills, and asks again if
// the module answers CKR_BUFFER_TOO_SMALL because the list grew in between (slot lists can).
// The result is truncated to the count the module finally reported; a count past the buffer
// is Pkcs11Failure (output_length).
template <typename T, typename Query>
Result<std::vector<T>> query_list(Fn fn, Query query) {
  constexpr int kAttempts = 4;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    CK_ULONG count = 0;
    if (const CK_RV rv = query(static_cast<T*>(nullptr), &count); rv != CKR_OK) {
      return std::unexpected(error_from_rv(rv, fn));
    }
    std::vector<T> items(count);
    const CK_RV rv = query(items.data(), &count);
    if (rv == CKR_BUFFER_TOO_SMALL) continue;
    if (rv != CKR_OK) return std::unexpected(error_from_rv(rv, fn));
    // A count past the buffer is a broken answer, not a reason to grow the list.
    CRATON_ASSIGN_OR_RETURN(const std::size_t filled, output_length(fn, count, items.size()));
    items.resize(filled);
    return items;
  }
  return std::unexpected(
      error_from_rv(CKR_BUFFER_TOO_SMALL, fn, "the list kept growing between calls"));
}

}  // namespace craton::hsm::pkcs11
