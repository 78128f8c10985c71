// SPDX-License-Identifier: Apache-2.0
// Each token's detected capability table (backend.capabilities(): which of our schemes, and
// how) must equal the table it is expected to have: the conformance suite runs the operations,
// this checks the table they are planned from, including *how* each is done, so a token that
// silently loses a mechanism (a combined one, leaving host prehash) fails even where the
// operation still works.
#pragma once

#include <craton/hsm/capabilities.h>

#include "support/vendor_tokens.h"

namespace craton::hsm::testing {

// Prints every row ("[capabilities] vendor | row | how", for scripts/compatibility-matrix.py)
// and fails the test on every row that differs from the expected table.
void expect_capability_table(Vendor vendor, const TokenCapabilities& capabilities);

}  // namespace craton::hsm::testing
