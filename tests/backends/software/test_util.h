// SPDX-License-Identifier: Apache-2.0
// Helpers for the software backend's unit tests: one shared backend with keys generated once
// per binary, and (from backends/common/test_bytes.h) the byte helpers.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/software_backend.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "backends/common/test_bytes.h"

namespace craton::hsm::testing {

// One backend for the whole binary, and keys generated on first use: RSA generation is slow
// enough that every test making its own would dominate the run.
class SoftwareBackendTest : public ::testing::Test {
 protected:
  static CryptoBackend& backend() {
    static const std::unique_ptr<CryptoBackend> instance = make_software_backend();
    return *instance;
  }

  static const Key& generated(KeyAlgorithm algorithm) {
    static std::map<KeyAlgorithm, Key> keys;
    auto found = keys.find(algorithm);
    if (found == keys.end()) {
      auto key = backend().generate_key(algorithm);
      if (!key) throw std::runtime_error(key.error().to_string());
      found = keys.emplace(algorithm, std::move(key).value()).first;
    }
    return found->second;
  }

  static Key public_of(const Key& key) {
    auto pub = key.public_key();
    if (!pub) throw std::runtime_error(pub.error().to_string());
    return std::move(pub).value();
  }
};

}  // namespace craton::hsm::testing
