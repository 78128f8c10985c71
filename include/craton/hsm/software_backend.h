// SPDX-License-Identifier: Apache-2.0
// SoftwareBackend: CryptoBackend on OpenSSL 3, for material keys. The reference the token
// backend is tested against; its key generation is the one the opt-in software keygen fallback
// runs.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/export.h>

#include <cstddef>
#include <memory>

namespace craton::hsm {

struct SoftwareBackendOptions {
  std::size_t max_message_bytes = std::size_t{64} << 20;  // 64 MiB
};

[[nodiscard]] CRATON_HSM_API std::unique_ptr<CryptoBackend> make_software_backend(
    SoftwareBackendOptions options = {});

}  // namespace craton::hsm
