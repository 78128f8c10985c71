// SPDX-License-Identifier: Apache-2.0
// A Pkcs11PassthroughConfig for this binary's SoftHSM2 token, for tests to adjust.
#pragma once

#include <craton/hsm/config.h>

#include <string_view>

namespace craton::hsm::testing {

// library_path = SoftHSM2, token_label = ci-token, user PIN 1234, defaults otherwise.
[[nodiscard]] Pkcs11PassthroughConfig softhsm_config();

// The same, through the fault shim (tests/support/fault_shim) over SoftHSM2.
[[nodiscard]] Pkcs11PassthroughConfig fault_shim_config();

}  // namespace craton::hsm::testing
