// SPDX-License-Identifier: Apache-2.0
// Names and sizes behind the scheme enums.
#include <craton/hsm/schemes.h>

namespace craton::hsm {

std::size_t digest_size(HashAlg hash) noexcept {
  switch (hash) {
    case HashAlg::Sha224:
      return 28;
    case HashAlg::Sha256:
      return 32;
    case HashAlg::Sha384:
      return 48;
    case HashAlg::Sha512:
      return 64;
  }
  return 0;
}

std::string_view hash_name(HashAlg hash) noexcept {
  switch (hash) {
    case HashAlg::Sha224:
      return "SHA-224";
    case HashAlg::Sha256:
      return "SHA-256";
    case HashAlg::Sha384:
      return "SHA-384";
    case HashAlg::Sha512:
      return "SHA-512";
  }
  return "unknown hash";
}

std::string_view scheme_name(SignScheme scheme) noexcept {
  switch (scheme) {
    case SignScheme::RsaPkcs1v15Sha256:
      return "RSA-PKCS1v15-SHA256";
    case SignScheme::RsaPkcs1v15Sha384:
      return "RSA-PKCS1v15-SHA384";
    case SignScheme::RsaPkcs1v15Sha512:
      return "RSA-PKCS1v15-SHA512";
    case SignScheme::RsaPssSha256:
      return "RSA-PSS-SHA256";
    case SignScheme::RsaPssSha384:
      return "RSA-PSS-SHA384";
    case SignScheme::RsaPssSha512:
      return "RSA-PSS-SHA512";
    case SignScheme::EcdsaP256Sha256:
      return "ECDSA-P256-SHA256";
    case SignScheme::EcdsaP384Sha384:
      return "ECDSA-P384-SHA384";
    case SignScheme::Ed25519:
      return "Ed25519";
  }
  return "unknown scheme";
}

bool scheme_has_prehash(SignScheme scheme) noexcept {
  return scheme != SignScheme::Ed25519;
}

HashAlg scheme_hash(SignScheme scheme) noexcept {
  switch (scheme) {
    case SignScheme::RsaPkcs1v15Sha384:
    case SignScheme::RsaPssSha384:
    case SignScheme::EcdsaP384Sha384:
      return HashAlg::Sha384;
    case SignScheme::RsaPkcs1v15Sha512:
    case SignScheme::RsaPssSha512:
    case SignScheme::Ed25519:
      return HashAlg::Sha512;  // Ed25519 uses SHA-512 internally
    default:
      return HashAlg::Sha256;
  }
}

std::string_view key_algorithm_name(KeyAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case KeyAlgorithm::Aes128:
      return "AES-128";
    case KeyAlgorithm::Aes192:
      return "AES-192";
    case KeyAlgorithm::Aes256:
      return "AES-256";
    case KeyAlgorithm::Rsa2048:
      return "RSA-2048";
    case KeyAlgorithm::Rsa3072:
      return "RSA-3072";
    case KeyAlgorithm::Rsa4096:
      return "RSA-4096";
    case KeyAlgorithm::EcP256:
      return "EC-P256";
    case KeyAlgorithm::EcP384:
      return "EC-P384";
    case KeyAlgorithm::Ed25519:
      return "Ed25519";
    case KeyAlgorithm::Hmac256:
      return "HMAC-256";
    case KeyAlgorithm::Hmac512:
      return "HMAC-512";
  }
  return "unknown algorithm";
}

}  // namespace craton::hsm
