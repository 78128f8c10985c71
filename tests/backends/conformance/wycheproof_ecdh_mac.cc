// SPDX-License-Identifier: Apache-2.0
// Wycheproof runners for key agreement and MACs: ECDH P-256 with bare SEC1 points, and
// HMAC-SHA-256 with full and truncated tags.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backends/conformance/wycheproof_harness.h"

namespace craton::hsm::conformance::wycheproof {
namespace {

using Expect = AcceptableChoice::Expect;

// Wycheproof integers are two's complement with an optional leading 00; Key::ec_private takes
// an unsigned big-endian scalar of at most the field size.
Bytes unsigned_scalar(Bytes integer) {
  std::size_t zeros = 0;
  while (zeros + 1 < integer.size() && integer[zeros] == 0) ++zeros;
  integer.erase(integer.begin(), integer.begin() + static_cast<std::ptrdiff_t>(zeros));
  return integer;
}

// An invalid peer point may be refused by Key::ec_public or by ecdh; either way no secret.
Observation run_ecdh(CryptoBackend& backend, const Capabilities& /*caps*/, const Json& group,
                     const Json& test) {
  if (group.at("curve").get<std::string>() != "secp256r1" ||
      group.at("encoding").get<std::string>() != "ecpoint") {
    return Observation::broken("runner handles secp256r1 with ecpoint encoding only");
  }
  const auto ours = Key::ec_private(EcCurve::P256, unsigned_scalar(hex_member(test, "private")));
  if (!ours) return refusal(ours.error(), "private key construction");
  const auto theirs = Key::ec_public(EcCurve::P256, hex_member(test, "public"));
  if (!theirs) return refusal(theirs.error(), "peer public key construction");
  const auto shared = backend.ecdh(*ours, *theirs);
  if (!shared) return refusal(shared.error(), "ecdh");
  return output_matches(shared->expose(), hex_member(test, "shared"), "shared secret");
}

// Full-length tags go through hmac_verify. Truncated tags (tagSize < 256) are compared with
// the leftmost bytes of hmac(), in constant time; hmac_verify must call them Invalid, because
// it accepts only full-length tags (backend.h).
Observation run_hmac(CryptoBackend& backend, const Capabilities& caps, const Json& group,
                     const Json& test) {
  const Bytes key_bytes = hex_member(test, "key");
  const auto key = Key::hmac(key_bytes);
  if (!key) return refusal(key.error(), "HMAC key construction");
  const Bytes msg = hex_member(test, "msg");
  const Bytes tag = hex_member(test, "tag");
  if (!caps.accepts_hmac_key(key_bytes.size(), HashAlg::Sha256)) {
    const auto refused = backend.hmac(*key, HashAlg::Sha256, msg);
    if (!refused && refused.error().code() == ErrorCode::KeySizeRange) {
      return Observation::skipped("HMAC key shorter than SHA-256 output, refused by the token");
    }
    return Observation::broken(
        "capabilities say short HMAC keys are refused, but hmac did not "
        "answer KeySizeRange");
  }
  const auto tag_bytes = static_cast<std::size_t>(int_member(group, "tagSize") / 8);
  const auto full = backend.hmac(*key, HashAlg::Sha256, msg);
  if (!full) return refusal(full.error(), "hmac");
  if (tag_bytes == digest_size(HashAlg::Sha256)) {
    Observation verified = verdict(backend.hmac_verify(*key, HashAlg::Sha256, msg, tag));
    const bool computed_matches = constant_time_equal(*full, tag);
    if ((verified.kind == Observation::Kind::Accepted) != computed_matches &&
        verified.kind != Observation::Kind::Broken) {
      return Observation::broken("hmac_verify disagrees with hmac()");
    }
    return verified;
  }
  const auto truncated_verify = backend.hmac_verify(*key, HashAlg::Sha256, msg, tag);
  if (!truncated_verify || *truncated_verify != VerifyOutcome::Invalid) {
    return Observation::broken("hmac_verify of a truncated tag must answer Invalid");
  }
  const ByteView prefix = ByteView(*full).first(std::min(tag_bytes, full->size()));
  if (tag.size() == tag_bytes && constant_time_equal(prefix, tag)) return Observation::accepted();
  return Observation::rejected("truncated tag differs from the leftmost bytes of hmac()");
}

}  // namespace

std::vector<VectorFile> agreement_and_mac_vector_files() {
  return {
      {.file = "ecdh_secp256r1_ecpoint_test.json",
       .schema = "ecdh_ecpoint_test_schema_v1.json",
       .group_type = "EcdhEcpointTest",
       .run = run_ecdh,
       .acceptable = {{2, Expect::Accept,
                       "CompressedPublic: Key::ec_public decompresses SEC1 compressed points, so "
                       "the agreement must succeed with the vector's shared secret"}},
       .refused_by_policy = {}},
      {.file = "hmac_sha256_test.json",
       .schema = "mac_test_schema_v1.json",
       .group_type = "MacTest",
       .run = run_hmac,
       .acceptable = {},
       .refused_by_policy = {}},
  };
}

}  // namespace craton::hsm::conformance::wycheproof
