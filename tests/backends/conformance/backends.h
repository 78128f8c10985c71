// SPDX-License-Identifier: Apache-2.0
// The registry the conformance suite runs over: one BackendFactory per backend or vendor, with
// the Capabilities that decide which schemes must work there and which must be refused.
#pragma once

#include <craton/hsm/backend.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace craton::hsm::conformance {

// Where backends may legitimately differ. Everything not listed here is one contract for every
// backend. A scheme a backend does not support must answer MechanismUnsupported (backend.h:
// never a silent substitute), and the suite checks that it does.
struct Capabilities {
  // RSA-OAEP hashes (of SHA-256/384/512) that must round-trip; the rest are unsupported.
  std::vector<HashAlg> oaep_hashes{HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512};
  // RFC 5649 wrapping (KeyWrapScheme::AesKwp).
  bool kwp_supported = true;
  // Without kwp_supported: RFC 5649 through CKM_AES_KEY_WRAP_PAD where the vendor profile says
  // it is RFC 5649 only for block multiples (SoftHSM2): inputs that are a multiple of 8 bytes
  // wrap, others are MechanismUnsupported; every RFC 5649 blob unwraps.
  bool kwp_block_multiples = false;
  // Ed25519 keys, signatures and verification.
  bool ed25519_supported = true;
  // HMAC keys shorter than the hash output are refused with KeySizeRange (SoftHSM2 2.6).
  bool hmac_key_at_least_digest_size = false;
  // Wycheproof AES-GCM groups whose IV is not 96 bits can be run. That needs a chosen-IV
  // encryption and non-96-bit IVs, which the API does not offer: false for every backend today,
  // and those groups are reported as skipped.
  bool wycheproof_gcm_non96_iv = false;

  [[nodiscard]] bool supports_oaep(HashAlg hash) const;
  [[nodiscard]] bool accepts_hmac_key(std::size_t key_bytes, HashAlg hash) const;
};

struct BackendFactory {
  std::string name;  // used in test names: letters, digits and underscores only
  std::function<Result<std::unique_ptr<CryptoBackend>>()> make;
  Capabilities caps;
  // Every key becomes a persistent token object first (the resident-key run). The token's
  // arithmetic is the same as for session objects, so the thousands of Wycheproof keys, each
  // a token file written and deleted, are left to the other runs.
  bool keys_on_token = false;
};

// Every backend the suite runs against. Adding a backend or vendor is one entry in backends.cc.
[[nodiscard]] const std::vector<BackendFactory>& registered_backends();

// The backends the Wycheproof harness runs over: all but the keys_on_token ones.
[[nodiscard]] std::vector<BackendFactory> wycheproof_backends();

// SoftHSM2 2.6 as docs/vendors.md describes it: OAEP only with SHA-1 (none of ours), no usable
// RFC 5649 wrapping, HMAC keys at least as long as the hash.
[[nodiscard]] Capabilities softhsm2_capabilities();

// For INSTANTIATE_TEST_SUITE_P: each instance is named after its backend.
[[nodiscard]] std::string backend_test_name(const ::testing::TestParamInfo<BackendFactory>& info);
// GoogleTest prints parameters of failing tests with this.
void PrintTo(const BackendFactory& factory, std::ostream* out);

}  // namespace craton::hsm::conformance
