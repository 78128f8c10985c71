// SPDX-License-Identifier: Apache-2.0
// Probing the token's mechanisms and applying known vendor corrections.
#include "backends/pkcs11/capabilities.h"

#include <fmt/format.h>

#include "pkcs11/session/mechanism_names.h"
#include "pkcs11/session/token.h"

namespace craton::hsm::pkcs11 {

Result<Capabilities> Capabilities::probe(const Module& module, std::uint64_t slot) {
  CRATON_ASSIGN_OR_RETURN(const LibraryDescription library, describe_library(module));
  CRATON_ASSIGN_OR_RETURN(const std::vector<MechanismDescription> mechanisms,
                          describe_mechanisms(module, slot));
  Capabilities capabilities;
  capabilities.manufacturer_ = library.manufacturer;
  for (const auto& mechanism : mechanisms) capabilities.mechanisms_.insert(mechanism.type);
  // Known from SoftHSM2 2.6.1 only, so applied to it only: OAEP with SHA-256 answers
  // CKR_ARGUMENTS_BAD, and CKR_GENERAL_ERROR reports failed integrity checks.
  const bool softhsm = library.manufacturer == "SoftHSM";
  capabilities.oaep_sha1_only_ = softhsm;
  capabilities.general_error_is_integrity_failure_ = softhsm;
  return capabilities;
}

bool Capabilities::oaep_supports(HashAlg hash) const noexcept {
  if (!has(CKM_RSA_PKCS_OAEP) || oaep_sha1_only_) return false;
  return hash == HashAlg::Sha256 || hash == HashAlg::Sha384 || hash == HashAlg::Sha512;
}

Result<void> Capabilities::require(CK_MECHANISM_TYPE mechanism, std::string_view what) const {
  if (has(mechanism)) return {};
  return fail(ErrorCode::MechanismUnsupported,
              fmt::format("{}: the token does not offer {}", what, describe_mechanism(mechanism)));
}

}  // namespace craton::hsm::pkcs11
