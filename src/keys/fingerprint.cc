// SPDX-License-Identifier: Apache-2.0
// Domain-separated encoding of key material and its keyed hash.
#include "keys/fingerprint.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>

#include <initializer_list>
#include <string_view>

#include "keys/key_build.h"

namespace craton::hsm::keys {
namespace {

std::string_view domain_tag(KeyKind kind) {
  switch (kind) {
    case KeyKind::Aes:
      return "craton.fp.v1.aes";
    case KeyKind::Hmac:
      return "craton.fp.v1.hmac";
    case KeyKind::RsaPrivate:
      return "craton.fp.v1.rsa-private";
    case KeyKind::RsaPublic:
      return "craton.fp.v1.rsa-public";
    case KeyKind::EcPrivate:
      return "craton.fp.v1.ec-private";
    case KeyKind::EcPublic:
      return "craton.fp.v1.ec-public";
    case KeyKind::Ed25519Private:
      return "craton.fp.v1.ed25519-private";
    case KeyKind::Ed25519Public:
      return "craton.fp.v1.ed25519-public";
  }
  return "craton.fp.v1.unknown";
}

class Encoder {
 public:
  void part(std::span<const std::uint8_t> bytes) {
    const auto n = static_cast<std::uint32_t>(bytes.size());
    const std::uint8_t length[4] = {
        static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
        static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
    append(length);
    append(bytes);
  }
  void part(std::string_view text) {
    part({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  }
  SecretBytes take() { return std::move(out_); }

 private:
  void append(std::span<const std::uint8_t> bytes) {
    // Grow through a fresh SecretBytes so the old buffer is wiped, never left in the heap.
    SecretBytes grown = SecretBytes::zeroed(out_.size() + bytes.size());
    std::copy(out_.expose().begin(), out_.expose().end(), grown.expose_mut().begin());
    std::copy(bytes.begin(), bytes.end(), grown.expose_mut().subspan(out_.size()).begin());
    out_ = std::move(grown);
  }
  SecretBytes out_;
};

}  // namespace

SecretBytes fingerprint_input(const KeyMaterial& m) {
  Encoder encoder;
  encoder.part(domain_tag(m.kind));
  if (m.resident) {
    const ResidentObject& object = *m.resident;
    encoder.part("resident");
    encoder.part(object.token_serial);
    encoder.part(object.label);
    encoder.part(object.id);
    encoder.part(object.unique_id.value_or(""));
    encoder.part(object.check_value);
    // The public value of either half of a pair (empty parts for the kinds without them).
    encoder.part(m.curve ? curve_info(*m.curve).display : "");
    encoder.part(m.rsa_modulus);
    encoder.part(m.rsa_public_exponent);
    encoder.part(m.public_point);
    return encoder.take();
  }
  if (m.curve) encoder.part(curve_info(*m.curve).display);
  switch (m.kind) {
    case KeyKind::RsaPrivate:
      encoder.part(m.rsa_modulus);
      encoder.part(m.rsa_public_exponent);
      encoder.part(m.rsa_private->private_exponent.expose());
      break;
    case KeyKind::RsaPublic:
      encoder.part(m.rsa_modulus);
      encoder.part(m.rsa_public_exponent);
      break;
    case KeyKind::EcPublic:
    case KeyKind::Ed25519Public:
      encoder.part(m.public_point);
      break;
    default:
      encoder.part(m.secret.expose());
      break;  // AES, HMAC, EC scalar, Ed25519 seed
  }
  return encoder.take();
}

const KeySecretBytes& process_fingerprint_secret() {
  static const KeySecretBytes secret = [] {
    KeySecretBytes bytes = KeySecretBytes::zeroed(32);
    if (RAND_bytes(bytes.expose_mut().data(), static_cast<int>(bytes.size())) != 1) {
      std::abort();  // no randomness: nothing cryptographic can safely continue
    }
    return bytes;
  }();
  return secret;
}

Fingerprint keyed_fingerprint(const KeyMaterial& material, const KeySecretBytes& secret) {
  const SecretBytes input = fingerprint_input(material);
  Fingerprint fingerprint;
  unsigned int length = fingerprint.bytes.size();
  HMAC(EVP_sha256(), secret.expose().data(), static_cast<int>(secret.size()), input.expose().data(),
       input.size(), fingerprint.bytes.data(), &length);
  return fingerprint;
}

}  // namespace craton::hsm::keys
