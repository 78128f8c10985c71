// SPDX-License-Identifier: Apache-2.0
// The demo's steps: every CryptoBackend operation once on the token, each result
// cross-checked with the software backend.
#pragma once

#include <craton/hsm/backend.h>

#include <functional>
#include <string>
#include <vector>

namespace craton::hsm::cli {

struct DemoKeys {
  Key aes;
  Key hmac;
  Key rsa;
  Key ec_p256;
  Key ec_p384;
  Key ec_peer;
  Key ed25519;
};

// Makes the demo's keys with `software` (fast and independent of the token under test).
[[nodiscard]] Result<DemoKeys> make_demo_keys(CryptoBackend& software);

struct DemoStep {
  std::string operation;  // "sign", "aes-gcm encrypt", ...
  std::string mechanism;  // "ECDSA-P256-SHA256", ...
  std::string key;        // Key::describe()
  // Runs on `token`, checks with `software`; an error means the step failed.
  std::function<Result<void>(CryptoBackend& token, CryptoBackend& software)> run;
};

[[nodiscard]] std::vector<DemoStep> demo_steps(const DemoKeys& keys);

}  // namespace craton::hsm::cli
