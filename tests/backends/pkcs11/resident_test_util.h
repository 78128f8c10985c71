// SPDX-License-Identifier: Apache-2.0
// Helpers for the resident-key tests: a backend on the binary's token and unique specs.
#pragma once

#include <craton/hsm/resident_keys.h>

#include <memory>
#include <string>

#include "backends/pkcs11/passthrough_backend.h"

namespace craton::hsm::pkcs11 {

// A passthrough backend on the ci-token (or on the fault shim over it).
[[nodiscard]] std::unique_ptr<Pkcs11PassthroughBackend> make_resident_backend(
    bool through_fault_shim = false, std::uint64_t gcm_budget = std::uint64_t{1} << 32);

// A spec with a label and id no other test uses ("resident-<name>", id derived from it).
[[nodiscard]] ResidentKeySpec unique_spec(KeyAlgorithm algorithm, const std::string& name);

[[nodiscard]] KeyRef by_label(const std::string& label);
[[nodiscard]] KeyRef by_id(const std::vector<std::uint8_t>& id);

}  // namespace craton::hsm::pkcs11
