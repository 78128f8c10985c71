// SPDX-License-Identifier: Apache-2.0
// KeyIdentity: how an audit record names a material key (its keyed fingerprint, never its
// bytes), given to the audit decorator by whoever builds it.
#pragma once

#include <craton/hsm/keys.h>

#include <functional>

#include "keys/fingerprint_memo.h"

namespace craton::hsm::audited {

// Called for material keys only (a resident key is named by its URI), from any thread, once
// per audited operation: it should be a memo lookup. The reference must stay valid while the
// key lives.
using KeyIdentity = std::function<const Fingerprint&(const Key&)>;

// The key's fingerprint under the process's fingerprint secret (keys::process_fingerprint_secret),
// memoised on the key: the value the passthrough's caches, GCM budgets and key-import records
// use too, so one key has one name in every trail of the process, whichever backend ran it.
[[nodiscard]] const Fingerprint& process_key_fingerprint(const Key& key);

}  // namespace craton::hsm::audited
