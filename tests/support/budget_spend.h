// SPDX-License-Identifier: Apache-2.0
// Spending a key's AES-GCM budget to its end, for the budget tests.
#pragma once

#include <craton/hsm/backend.h>

#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::testing {

// Encrypts `message` under `key` until the backend refuses; the number of encryptions that
// succeeded. The refusal must be the budget's (KeyUsageLimitExceeded).
inline int encrypt_until_refused(CryptoBackend& backend, const Key& key, ByteView message) {
  int done = 0;
  for (;;) {
    auto sealed = backend.aes_gcm_encrypt(key, message, {});
    if (!sealed) {
      EXPECT_THAT(sealed, HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
      return done;
    }
    ++done;
  }
}

}  // namespace craton::hsm::testing
