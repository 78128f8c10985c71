// SPDX-License-Identifier: Apache-2.0
// The host name a store records with each reservation (BudgetRecord::last_host).
#pragma once

#include <string>

namespace craton::hsm::budget {

// gethostname(), or "unknown" when it fails; at most 255 bytes.
[[nodiscard]] std::string host_name();

}  // namespace craton::hsm::budget
