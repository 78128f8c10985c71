// SPDX-License-Identifier: Apache-2.0
// BackendTest set-up, the scheme-to-key table, and the per-binary cache of generated keys.
#include "backends/conformance/fixture.h"

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "support/matchers.h"

namespace craton::hsm::conformance {

KeyAlgorithm key_algorithm_for(SignScheme scheme) {
  switch (scheme) {
    case SignScheme::EcdsaP256Sha256:
      return KeyAlgorithm::EcP256;
    case SignScheme::EcdsaP384Sha384:
      return KeyAlgorithm::EcP384;
    case SignScheme::Ed25519:
      return KeyAlgorithm::Ed25519;
    default:
      return KeyAlgorithm::Rsa2048;
  }
}

bool is_ecdsa(SignScheme scheme) {
  return scheme == SignScheme::EcdsaP256Sha256 || scheme == SignScheme::EcdsaP384Sha384;
}

bool is_rsa(SignScheme scheme) {
  return !is_ecdsa(scheme) && scheme != SignScheme::Ed25519;
}

std::vector<SignatureEncoding> encodings_for(SignScheme scheme) {
  if (is_ecdsa(scheme)) return {SignatureEncoding::Raw, SignatureEncoding::Der};
  return {SignatureEncoding::Raw};
}

bool unsupported_here(SignScheme scheme, const Capabilities& caps) {
  return scheme == SignScheme::Ed25519 && !caps.ed25519_supported;
}

Result<Key> shared_key(const BackendFactory& factory, CryptoBackend& backend,
                       KeyAlgorithm algorithm) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, KeyAlgorithm>, Key> keys;
  const std::lock_guard lock(mutex);
  const auto slot = std::make_pair(factory.name, algorithm);
  if (const auto found = keys.find(slot); found != keys.end()) return found->second;
  auto generated = backend.generate_key(algorithm);
  if (generated) keys.emplace(slot, *generated);
  return generated;
}

void BackendTest::SetUp() {
  auto made = GetParam().make();
  ASSERT_THAT(made, testing::IsOk()) << "cannot create backend " << GetParam().name;
  backend_ = std::move(made).value();
  ASSERT_NE(backend_, nullptr);
}

Result<Key> BackendTest::fresh_aes_key(std::size_t bytes) {
  switch (bytes) {
    case 16:
      return backend_->generate_key(KeyAlgorithm::Aes128);
    case 24:
      return backend_->generate_key(KeyAlgorithm::Aes192);
    default:
      return backend_->generate_key(KeyAlgorithm::Aes256);
  }
}

}  // namespace craton::hsm::conformance
