// SPDX-License-Identifier: Apache-2.0
// Wycheproof runners for signature verification: ECDSA P-256 (DER and P1363), Ed25519,
// RSASSA-PKCS1-v1_5 and RSASSA-PSS. Every invalid signature must be Invalid, never an error.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backends/conformance/wycheproof_harness.h"

namespace craton::hsm::conformance::wycheproof {
namespace {

using Expect = AcceptableChoice::Expect;

// key_build.cc: every RSA key, public ones included, needs an odd exponent >= 65537.
constexpr std::string_view kSmallExponent =
    "SmallPublicKey: the key has e = 3; Key refuses RSA exponents below 65537";

// Group keys are well-formed by the README's promise, so a refusal here fails valid cases.
Observation verify_with(CryptoBackend& backend, const Result<Key>& key, SignScheme scheme,
                        const Json& test, SignatureEncoding encoding) {
  if (!key) return refusal(key.error(), "public key construction");
  return verdict(
      backend.verify(*key, scheme, hex_member(test, "msg"), hex_member(test, "sig"), encoding));
}

Observation check_ecdsa_group(const Json& group) {
  const Json& key = group.at("publicKey");
  if (key.at("curve").get<std::string>() != "secp256r1" ||
      group.at("sha").get<std::string>() != "SHA-256") {
    return Observation::broken("runner handles secp256r1 with SHA-256 only");
  }
  return Observation::accepted();
}

CaseRunner ecdsa_runner(SignatureEncoding encoding) {
  return [encoding](CryptoBackend& backend, const Capabilities& /*caps*/, const Json& group,
                    const Json& test) {
    if (Observation shape = check_ecdsa_group(group); shape.kind != Observation::Kind::Accepted) {
      return shape;
    }
    const auto key =
        Key::ec_public(EcCurve::P256, hex_member(group.at("publicKey"), "uncompressed"));
    return verify_with(backend, key, SignScheme::EcdsaP256Sha256, test, encoding);
  };
}

Observation run_ed25519(CryptoBackend& backend, const Capabilities& caps, const Json& group,
                        const Json& test) {
  const auto key = Key::ed25519_public(hex_member(group.at("publicKey"), "pk"));
  if (!caps.ed25519_supported) {
    if (!key) return refusal(key.error(), "public key construction");
    const auto outcome =
        backend.verify(*key, SignScheme::Ed25519, hex_member(test, "msg"), hex_member(test, "sig"));
    if (!outcome && outcome.error().code() == ErrorCode::MechanismUnsupported) {
      return Observation::skipped("Ed25519 unsupported by this backend");
    }
    return Observation::broken(
        "capabilities say no Ed25519, but verify did not answer "
        "MechanismUnsupported");
  }
  return verify_with(backend, key, SignScheme::Ed25519, test, SignatureEncoding::Raw);
}

Observation run_rsa_pkcs1(CryptoBackend& backend, const Capabilities& /*caps*/, const Json& group,
                          const Json& test) {
  if (group.at("sha").get<std::string>() != "SHA-256") {
    return Observation::broken("runner handles SHA-256 only");
  }
  const auto key = Key::rsa_public_spki(hex_member(group, "publicKeyDer"));
  return verify_with(backend, key, SignScheme::RsaPkcs1v15Sha256, test, SignatureEncoding::Raw);
}

// Our PSS schemes fix MGF1 to the message hash and the salt to the hash length.
Observation run_rsa_pss(CryptoBackend& backend, const Capabilities& /*caps*/, const Json& group,
                        const Json& test) {
  if (group.at("sha").get<std::string>() != "SHA-256" ||
      group.at("mgf").get<std::string>() != "MGF1" ||
      group.at("mgfSha").get<std::string>() != "SHA-256" || int_member(group, "sLen") != 32) {
    return Observation::skipped("PSS parameters no SignScheme offers");
  }
  const auto key = Key::rsa_public_spki(hex_member(group, "publicKeyDer"));
  return verify_with(backend, key, SignScheme::RsaPssSha256, test, SignatureEncoding::Raw);
}

}  // namespace

std::vector<VectorFile> signature_vector_files() {
  return {
      {.file = "ecdsa_secp256r1_sha256_test.json",
       .schema = "ecdsa_verify_schema_v1.json",
       .group_type = "EcdsaVerify",
       .run = ecdsa_runner(SignatureEncoding::Der),
       .acceptable = {},
       .refused_by_policy = {}},
      {.file = "ecdsa_secp256r1_sha256_p1363_test.json",
       .schema = "ecdsa_p1363_verify_schema_v1.json",
       .group_type = "EcdsaP1363Verify",
       .run = ecdsa_runner(SignatureEncoding::Raw),
       .acceptable = {},
       .refused_by_policy = {}},
      {.file = "ed25519_test.json",
       .schema = "eddsa_verify_schema_v1.json",
       .group_type = "EddsaVerify",
       .run = run_ed25519,
       .acceptable = {},
       .refused_by_policy = {}},
      {.file = "rsa_signature_2048_sha256_test.json",
       .schema = "rsassa_pkcs1_verify_schema_v1.json",
       .group_type = "RsassaPkcs1Verify",
       .run = run_rsa_pkcs1,
       .acceptable = {{8, Expect::Reject,
                       "MissingNull: the DigestInfo we expect carries the NULL parameter and is "
                       "compared byte for byte; the legacy encoding without it is refused"}},
       .refused_by_policy = {{258, kSmallExponent}, {259, kSmallExponent}}},
      {.file = "rsa_pss_2048_sha256_mgf1_32_test.json",
       .schema = "rsassa_pss_verify_schema_v1.json",
       .group_type = "RsassaPssVerify",
       .run = run_rsa_pss,
       .acceptable = {},
       .refused_by_policy = {}},
  };
}

}  // namespace craton::hsm::conformance::wycheproof
