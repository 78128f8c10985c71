// SPDX-License-Identifier: Apache-2.0
// The key checks both backends make before any cryptography: the kind an operation needs,
// whether the key's bytes are in memory, and its OpenSSL key.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/keys.h>

#include <initializer_list>
#include <string_view>

#include <openssl/evp.h>

namespace craton::hsm::common {

// KeyTypeInconsistent unless `key` is one of `allowed`; `operation` names what wanted it. Both
// backends word the error alike, so a caller sees one message whichever runs the operation.
[[nodiscard]] Result<void> require_kind(const Key& key, std::initializer_list<KeyKind> allowed,
                                        std::string_view operation);
// InvalidArgument for a resident private or secret key, whose bytes only its token holds.
[[nodiscard]] Result<void> require_in_memory(const Key& key);
// The key's EVP_PKEY; Internal if the material lacks one (a bug in the key factories).
[[nodiscard]] Result<EVP_PKEY*> evp_key(const Key& key);

}  // namespace craton::hsm::common
