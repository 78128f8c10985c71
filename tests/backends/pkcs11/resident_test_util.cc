// SPDX-License-Identifier: Apache-2.0
// Resident-key test helpers.
#include "backends/pkcs11/resident_test_util.h"

#include <gtest/gtest.h>

#include <atomic>

#include "support/matchers.h"
#include "support/softhsm_config.h"

namespace craton::hsm::pkcs11 {

std::unique_ptr<Pkcs11PassthroughBackend> make_resident_backend(bool through_fault_shim,
                                                                std::uint64_t gcm_budget) {
  Pkcs11PassthroughConfig config =
      through_fault_shim ? testing::fault_shim_config() : testing::softhsm_config();
  config.gcm_max_messages_per_key = gcm_budget;
  auto backend = Pkcs11PassthroughBackend::create(std::move(config));
  EXPECT_THAT(backend, testing::IsOk());
  return backend ? std::move(*backend) : nullptr;
}

ResidentKeySpec unique_spec(KeyAlgorithm algorithm, const std::string& name) {
  static std::atomic<std::uint8_t> counter{1};
  ResidentKeySpec spec;
  spec.algorithm = algorithm;
  spec.label = "resident-" + name;
  spec.id = {0x52, counter.fetch_add(1)};
  return spec;
}

KeyRef by_label(const std::string& label) {
  KeyRef ref;
  ref.label = label;
  return ref;
}

KeyRef by_id(const std::vector<std::uint8_t>& id) {
  KeyRef ref;
  ref.id = id;
  return ref;
}

}  // namespace craton::hsm::pkcs11
