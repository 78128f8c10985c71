// SPDX-License-Identifier: Apache-2.0
// What a RawToken holds, for the files that implement it: the module, the slot, the anchor
// session that keeps the login, and the token's mechanism list.
#pragma once

#include <optional>
#include <unordered_set>

#include "bench/raw/raw_token.h"
#include "pkcs11/loader/module.h"
#include "pkcs11/session/session.h"

namespace craton::hsm::bench::raw {

using pkcs11::Fn;
using pkcs11::Module;
using pkcs11::Session;

struct RawToken::State {
  std::shared_ptr<const Module> module;
  CK_SLOT_ID slot = 0;
  std::optional<Session> anchor;  // opened first, closed last: it holds the login
  std::unordered_set<CK_MECHANISM_TYPE> mechanisms;
  bool logged_in = false;  // key objects are CKA_PRIVATE when we hold a login
};

// The mechanism `op` runs with.
[[nodiscard]] CK_MECHANISM_TYPE mechanism_of(RawOp op) noexcept;

// The handle of `key`'s token object as `session` sees it: one C_FindObjects search by label.
// Errors: KeyNotFound, KeyAmbiguous, the mapped C_ failure.
[[nodiscard]] Result<CK_OBJECT_HANDLE> find_token_key(const Session& session,
                                                      const RawTokenKey& key);

// A worker for `inputs` on a fresh session of `state`'s token.
[[nodiscard]] Result<std::unique_ptr<RawWorker>> make_worker(const RawToken::State& state,
                                                             const RawInputs& inputs);

}  // namespace craton::hsm::bench::raw
