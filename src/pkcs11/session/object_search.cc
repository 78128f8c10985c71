// SPDX-License-Identifier: Apache-2.0
// Object search and single-attribute reads: how their answers are read.
#include "pkcs11/session/object_search.h"

#include <craton/hsm/diagnostics.h>

namespace craton::hsm::pkcs11::object_search {

Result<std::vector<CK_OBJECT_HANDLE>> outcome(std::vector<CK_OBJECT_HANDLE> found,
                                              Result<void> searched, Result<void> finished) {
  if (!finished) {
    if (searched) return std::unexpected(std::move(finished).error());
    report_diagnostic(finished.error());
  }
  if (!searched) return std::unexpected(std::move(searched).error());
  return found;
}

bool means_absent(const HsmError& error) noexcept {
  return error.code() == ErrorCode::AttributeInvalid ||
         error.code() == ErrorCode::AttributeSensitive;
}

}  // namespace craton::hsm::pkcs11::object_search
