// SPDX-License-Identifier: Apache-2.0
// CKA_EC_POINT in either encoding: OpenSSL's DER parser for the wrapped reading, OpenSSL's point
// decoder (on-curve check included) to decide which reading is the public value.
#include "backends/pkcs11/ec_point_attribute.h"

#include <openssl/asn1.h>
#include <openssl/err.h>

#include <climits>

#include <fmt/format.h>

#include "keys/key_build.h"

namespace craton::hsm::pkcs11 {
namespace {

using Octets = std::span<const std::uint8_t>;

constexpr std::size_t kEd25519KeySize = 32;  // RFC 8032 §5.1.5

using Asn1OctetStringPtr =
    std::unique_ptr<ASN1_OCTET_STRING, ossl::Deleter<ASN1_OCTET_STRING_free>>;

// The content of `value` read as one DER OCTET STRING and nothing after it; nullopt otherwise.
std::optional<std::vector<std::uint8_t>> der_content(Octets value) {
  if (value.empty() || value.size() > LONG_MAX) return std::nullopt;
  const unsigned char* cursor = value.data();
  Asn1OctetStringPtr parsed(
      d2i_ASN1_OCTET_STRING(nullptr, &cursor, static_cast<long>(value.size())));
  if (!parsed || cursor != value.data() + value.size()) {
    ERR_clear_error();
    return std::nullopt;
  }
  const unsigned char* data = ASN1_STRING_get0_data(parsed.get());
  return std::vector<std::uint8_t>(data, data + ASN1_STRING_length(parsed.get()));
}

// Whether `point` is a SEC1 encoding of a point of `group` other than the identity.
bool is_public_point(const EC_GROUP* group, Octets point) {
  if (point.empty()) return false;
  ossl::EcPointPtr decoded(EC_POINT_new(group));
  const bool valid =
      decoded &&
      EC_POINT_oct2point(group, decoded.get(), point.data(), point.size(), nullptr) == 1 &&
      EC_POINT_is_at_infinity(group, decoded.get()) == 0;
  ERR_clear_error();
  return valid;
}

}  // namespace

Result<std::vector<std::uint8_t>> decode_ec_point_attribute(Octets value, KeyKind kind,
                                                            std::optional<EcCurve> curve) {
  const bool ed25519 = kind == KeyKind::Ed25519Private || kind == KeyKind::Ed25519Public;
  const bool ec = kind == KeyKind::EcPrivate || kind == KeyKind::EcPublic;
  if (!ed25519 && (!ec || !curve)) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("a {} key has no CKA_EC_POINT to decode", key_kind_name(kind)));
  }
  ossl::EcGroupPtr group;
  if (ec) {
    group.reset(EC_GROUP_new_by_curve_name(keys::curve_info(*curve).nid));
    if (!group) return fail(ErrorCode::Internal, "OpenSSL allocation failed");
  }
  // Ed25519 keys are any 32 bytes, so length is what tells the readings apart.
  const auto is_valid = [&](Octets candidate) {
    return ed25519 ? candidate.size() == kEd25519KeySize : is_public_point(group.get(), candidate);
  };
  // The spec's reading first; were both valid, the spec would decide.
  if (auto content = der_content(value); content && is_valid(*content)) return std::move(*content);
  if (is_valid(value)) return std::vector<std::uint8_t>(value.begin(), value.end());
  return fail(ErrorCode::Pkcs11Failure,
              fmt::format("the token's CKA_EC_POINT ({} bytes) is neither a DER OCTET STRING nor "
                          "a bare encoding of a {} public key",
                          value.size(), ed25519 ? "Ed25519" : keys::curve_info(*curve).display));
}

}  // namespace craton::hsm::pkcs11
