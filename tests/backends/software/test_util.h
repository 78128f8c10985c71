// SPDX-License-Identifier: Apache-2.0
// Helpers for the software backend's unit tests: hex vectors, text bytes, bit flips, and one
// shared backend with keys generated once per binary.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/software_backend.h>

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "core/hex.h"

namespace craton::hsm::testing {

inline Bytes hex(std::string_view text) {
  const auto nibble = [](char c) -> std::uint8_t {
    if (const std::optional<std::uint8_t> value = hex_digit_value(c)) return *value;
    throw std::invalid_argument("not a hex digit");
  };
  Bytes out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) throw std::invalid_argument("odd number of hex digits");
    out.push_back(static_cast<std::uint8_t>(nibble(text[i]) << 4 | nibble(text[i + 1])));
    i += 2;
  }
  return out;
}

inline Bytes text_bytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

// A copy of `bytes` with the lowest bit of byte `index` inverted.
inline Bytes flipped(ByteView bytes, std::size_t index) {
  Bytes out(bytes.begin(), bytes.end());
  out.at(index) ^= 0x01;
  return out;
}

inline Bytes bytes_of(const SecretBytes& secret) {
  return Bytes(secret.expose().begin(), secret.expose().end());
}

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
