// SPDX-License-Identifier: Apache-2.0
// The backend registry: one line per backend or vendor the conformance suite must pass on.
#include "backends/conformance/backends.h"

#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/software_backend.h>

#include <algorithm>

#include "backends/conformance/resident_adapter.h"
#include "support/softhsm_config.h"

namespace craton::hsm::conformance {

bool Capabilities::supports_oaep(HashAlg hash) const {
  return std::ranges::find(oaep_hashes, hash) != oaep_hashes.end();
}

bool Capabilities::accepts_hmac_key(std::size_t key_bytes, HashAlg hash) const {
  return !hmac_key_at_least_digest_size || key_bytes >= digest_size(hash);
}

Capabilities softhsm2_capabilities() {
  Capabilities caps;
  caps.oaep_hashes = {};            // CKR_ARGUMENTS_BAD for every hash but SHA-1
  caps.kwp_supported = false;       // CKM_AES_KEY_WRAP_PAD mis-encodes lengths not a multiple of 8
  caps.kwp_block_multiples = true;  // ... and is RFC 5649 for those that are
  caps.hmac_key_at_least_digest_size = true;
  return caps;
}

const std::vector<BackendFactory>& registered_backends() {
  static const std::vector<BackendFactory> backends = {
      {"software",
       []() -> Result<std::unique_ptr<CryptoBackend>> { return make_software_backend(); },
       Capabilities{}},
      {"pkcs11_softhsm2", [] { return make_pkcs11_backend(testing::softhsm_config()); },
       softhsm2_capabilities()},
      // The same token, every key stored on it as a resident key first.
      {"pkcs11_softhsm2_resident",
       []() -> Result<std::unique_ptr<CryptoBackend>> {
         CRATON_ASSIGN_OR_RETURN(auto backend, make_pkcs11_backend(testing::softhsm_config()));
         return std::make_unique<ResidentKeysBackend>(std::move(backend));
       },
       softhsm2_capabilities(), /*keys_on_token=*/true},
  };
  return backends;
}

std::vector<BackendFactory> wycheproof_backends() {
  std::vector<BackendFactory> backends;
  for (const BackendFactory& factory : registered_backends()) {
    if (!factory.keys_on_token) backends.push_back(factory);
  }
  return backends;
}

std::string backend_test_name(const ::testing::TestParamInfo<BackendFactory>& info) {
  return info.param.name;
}

void PrintTo(const BackendFactory& factory, std::ostream* out) {
  *out << factory.name;
}

}  // namespace craton::hsm::conformance
