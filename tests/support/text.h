// SPDX-License-Identifier: Apache-2.0
// Text the tests read and search: a whole file, and bytes in base64 (to look for a secret in
// every encoding something might print it in).
#pragma once

#include <craton/hsm/backend.h>

#include <filesystem>
#include <string>

namespace craton::hsm::testing {

// The file's bytes; "" when it cannot be read (the assertion on its content then fails).
[[nodiscard]] std::string read_file(const std::filesystem::path& path);
// Standard base64 with padding (RFC 4648 §4), written here so the tests do not check the
// product's encoder with itself.
[[nodiscard]] std::string base64(ByteView bytes);

}  // namespace craton::hsm::testing
