// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the key factories that parse outside bytes (src/keys): PKCS#8 private keys,
// SubjectPublicKeyInfo, SEC1 EC points, EC scalars, Ed25519 keys. The first input byte picks
// the parser, the rest is its input. Each gives a Key or a documented error code; a key it
// gives exports what re-imports to the same key.
#include <craton/hsm/keys.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "keys/key_material.h"
#include "support/check.h"

using craton::hsm::EcCurve;
using craton::hsm::ErrorCode;
using craton::hsm::Key;
using craton::hsm::Result;
using Bytes = std::span<const std::uint8_t>;

namespace {

template <std::size_t N>
bool one_of(ErrorCode code, const std::array<ErrorCode, N>& allowed) {
  return std::ranges::find(allowed, code) != allowed.end();
}

bool same_bytes(Bytes a, Bytes b) {
  return std::ranges::equal(a, b);
}

// A key's SubjectPublicKeyInfo must be well formed and name the same public key again.
void check_public_half(const Key& key) {
  const auto spki = key.public_spki_der();
  FUZZ_CHECK(spki.has_value(), "a parsed asymmetric key has a SubjectPublicKeyInfo");
  const auto public_key = key.public_key();
  FUZZ_CHECK(public_key.has_value(), "a parsed asymmetric key has a public half");
  const auto spki_again = public_key->public_spki_der();
  FUZZ_CHECK(spki_again && *spki_again == *spki, "the public half has the same SPKI");
}

void rsa_private(Bytes der) {
  const auto key = Key::rsa_private_pkcs8(der);
  if (!key) {
    FUZZ_CHECK(
        one_of(key.error().code(), std::array{ErrorCode::InvalidArgument, ErrorCode::KeySizeRange,
                                              ErrorCode::KeyTypeInconsistent}),
        "rsa_private_pkcs8 fails with a documented code");
    return;
  }
  FUZZ_CHECK(key->kind() == craton::hsm::KeyKind::RsaPrivate, "an RSA private key");
  const auto exported = key->export_secret();
  FUZZ_CHECK(exported && same_bytes(exported->expose(), der), "export_secret gives the PKCS#8");
  check_public_half(*key);
  const auto spki = key->public_spki_der();
  const auto public_key = Key::rsa_public_spki(*spki);
  FUZZ_CHECK(public_key.has_value(), "the public half of an RSA key imports as SPKI");
}

void rsa_public(Bytes der) {
  const auto key = Key::rsa_public_spki(der);
  if (!key) {
    FUZZ_CHECK(
        one_of(key.error().code(), std::array{ErrorCode::InvalidArgument, ErrorCode::KeySizeRange,
                                              ErrorCode::KeyTypeInconsistent}),
        "rsa_public_spki fails with a documented code");
    return;
  }
  check_public_half(*key);
  const auto spki = key->public_spki_der();
  const auto again = Key::rsa_public_spki(*spki);
  FUZZ_CHECK(again.has_value(), "an RSA key's SPKI imports");
  const auto spki_again = again->public_spki_der();
  FUZZ_CHECK(spki_again && *spki_again == *spki, "an RSA key's SPKI imports to the same key");
}

void ec_point(EcCurve curve, Bytes point) {
  const auto key = Key::ec_public(curve, point);
  if (!key) {
    FUZZ_CHECK(key.error().code() == ErrorCode::InvalidArgument,
               "ec_public fails only with InvalidArgument");
    return;
  }
  FUZZ_CHECK(key->curve() == curve, "the key is on the curve asked for");
  check_public_half(*key);
  const auto& uncompressed = key->material().public_point;
  const auto again = Key::ec_public(curve, uncompressed);
  FUZZ_CHECK(again && again->material().public_point == uncompressed,
             "the uncompressed point imports to the same key");
}

void ec_scalar(EcCurve curve, Bytes scalar) {
  const auto key = Key::ec_private(curve, scalar);
  if (!key) {
    FUZZ_CHECK(key.error().code() == ErrorCode::InvalidArgument,
               "ec_private fails only with InvalidArgument");
    return;
  }
  check_public_half(*key);
  const auto exported = key->export_secret();
  FUZZ_CHECK(exported.has_value(), "an EC private key exports its scalar");
  const auto again = Key::ec_private(curve, exported->expose());
  FUZZ_CHECK(again && again->material().public_point == key->material().public_point,
             "the exported scalar imports to the same key");
}

void ed25519(Bytes bytes) {
  const auto private_key = Key::ed25519_private(bytes);
  const auto public_key = Key::ed25519_public(bytes);
  FUZZ_CHECK(private_key.has_value() == (bytes.size() == 32), "any 32 bytes are an Ed25519 seed");
  if (private_key) check_public_half(*private_key);
  if (public_key) check_public_half(*public_key);
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Bytes input(data + 1, size - 1);
  switch (data[0] % 7) {
    case 0:
      rsa_private(input);
      break;
    case 1:
      rsa_public(input);
      break;
    case 2:
      ec_point(EcCurve::P256, input);
      break;
    case 3:
      ec_point(EcCurve::P384, input);
      break;
    case 4:
      ec_scalar(EcCurve::P256, input);
      break;
    case 5:
      ec_scalar(EcCurve::P384, input);
      break;
    default:
      ed25519(input);
      break;
  }
  return 0;
}
