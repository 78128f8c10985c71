// SPDX-License-Identifier: Apache-2.0
// Helpers for the resident-key tests: a backend on the binary's token and unique specs.
#pragma once

#include <craton/hsm/resident_keys.h>

#include <memory>
#include <span>
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

// Generates a persistent AES-256 key on the ci-token directly through PKCS#11, as another tool
// would: no uniqueness check, so tests can make two objects share an id (or a label).
void raw_generate_aes(const std::string& label, const std::vector<std::uint8_t>& id);
// CKA_EC_PARAMS: the DER OIDs of P-256 (1.2.840.10045.3.1.7) and of P-521 (1.3.132.0.35), a
// curve the token has and this library does not use.
inline constexpr std::uint8_t kP256Oid[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
                                            0xce, 0x3d, 0x03, 0x01, 0x07};
inline constexpr std::uint8_t kP521Oid[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23};
// Generates a persistent EC pair (P-256 unless told otherwise) directly; the public half may
// be made indestructible (CKA_DESTROYABLE false), as some provisioning tools do.
void raw_generate_ec_pair(const std::string& label, const std::vector<std::uint8_t>& id,
                          bool public_destroyable,
                          std::span<const std::uint8_t> curve_oid = kP256Oid);
// Stores a persistent AES key with these bytes directly, as another tool would.
void raw_create_aes(const std::string& label, const std::vector<std::uint8_t>& id,
                    const std::vector<std::uint8_t>& value);
// Generates a persistent EC P-256 private key with this label and id whose public half is a
// session object that dies with the helper's session: what remains is a lone private key, as
// tools that keep only a certificate beside the key leave it.
void raw_generate_ec_private_only(const std::string& label, const std::vector<std::uint8_t>& id);
// Destroys the token objects of one class (CKO_PRIVATE_KEY, ...) with this label. Returns how
// many it destroyed.
std::size_t raw_destroy_label_of_class(const std::string& label, unsigned long object_class);
// Destroys every token key object with this label, through PKCS#11 directly (another
// application replacing a key behind the backend's back). Returns how many it destroyed.
std::size_t raw_destroy_label(const std::string& label);
// How many token key objects (any class) carry this label.
[[nodiscard]] std::size_t raw_count_label(const std::string& label);

}  // namespace craton::hsm::pkcs11
