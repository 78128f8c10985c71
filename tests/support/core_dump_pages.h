// SPDX-License-Identifier: Apache-2.0
// Whether memory is left out of core dumps: the MADV_DONTDUMP flag ("dd") of the mapping that
// holds an address, as /proc/self/smaps shows it.
#pragma once

#include <optional>
#include <string>

namespace craton::hsm::testing {

// The VmFlags line of the mapping that holds `address`; nullopt when no mapping holds it.
[[nodiscard]] std::optional<std::string> vm_flags_of(const void* address);

// True when the mapping that holds `address` is excluded from core dumps; a test failure (and
// false) when no mapping holds it.
[[nodiscard]] bool excluded_from_core_dumps(const void* address);

}  // namespace craton::hsm::testing
