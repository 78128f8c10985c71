// SPDX-License-Identifier: Apache-2.0
// Keeping the PIN and key bytes in craton-hsm's memory out of core dumps.
#pragma once

#include <craton/hsm/error.h>

namespace craton::hsm::cli {

// Set to "1" to let craton-hsm dump core (for debugging it): the dump may then hold the PIN.
inline constexpr const char* kAllowCoreDumpsEnv = "CRATON_HSM_ALLOW_CORE_DUMPS";

// Called first thing in main(), before any PIN is read: sets RLIMIT_CORE to 0 (soft and hard,
// so nothing later in the process can raise it) and clears PR_SET_DUMPABLE (no core dump, no
// ptrace attach or /proc/<pid>/mem by other processes of the same user). Does nothing when
// $CRATON_HSM_ALLOW_CORE_DUMPS is "1". Errors: Internal naming the call that failed (the
// caller reports it and goes on: the library's own MADV_DONTDUMP still applies).
[[nodiscard]] Result<void> keep_secrets_out_of_core_dumps();

}  // namespace craton::hsm::cli
