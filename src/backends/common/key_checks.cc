// SPDX-License-Identifier: Apache-2.0
// Key kind, in-memory and OpenSSL-key checks.
#include "backends/common/key_checks.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "keys/key_material.h"

namespace craton::hsm::common {

Result<void> require_kind(const Key& key, std::initializer_list<KeyKind> allowed,
                          std::string_view operation) {
  if (std::find(allowed.begin(), allowed.end(), key.kind()) != allowed.end()) return {};
  std::string wanted;
  for (const KeyKind kind : allowed) {
    if (!wanted.empty()) wanted += " or ";
    wanted += key_kind_name(kind);
  }
  return fail(ErrorCode::KeyTypeInconsistent,
              fmt::format("{} needs a key of kind {}, got {}", operation, wanted, key.describe()));
}

Result<void> require_in_memory(const Key& key) {
  if (!key.is_private() || !key.is_resident()) return {};
  return fail(ErrorCode::InvalidArgument,
              fmt::format("{} lives on its token: use it through a PKCS#11 backend on that token",
                          key.describe()));
}

Result<EVP_PKEY*> evp_key(const Key& key) {
  CRATON_RETURN_IF_ERROR(require_in_memory(key));
  EVP_PKEY* pkey = key.material().evp;
  if (pkey == nullptr) {
    return fail(ErrorCode::Internal, fmt::format("{} has no OpenSSL key", key.describe()));
  }
  return pkey;
}

}  // namespace craton::hsm::common
