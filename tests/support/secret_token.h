// SPDX-License-Identifier: Apache-2.0
// A token whose PIN is a secret made at run time, for the tests that scan the process's memory
// for it afterwards (tests/support/secret_scan.h): the suite's fixed "1234" would be found in
// every binary's read-only data.
#pragma once

#include <craton/hsm/secret.h>

#include <cstddef>
#include <string_view>

namespace craton::hsm::testing {

// `length` random characters (28 by default) no other byte string in the process resembles.
// Tokens with short PIN limits (openCryptoki: 4..8) ask for fewer.
SecretString random_pin(std::size_t length = 28);

// Initialises a free slot of the world's SoftHSM2 as `label` with `pin`, through softhsm2-util
// whose argv points straight into wiped memory: no std::string or command line of ours ever
// holds the PIN. A gtest failure when softhsm2-util fails.
void init_token_with_pin(std::string_view label, const SecretString& pin);

}  // namespace craton::hsm::testing
