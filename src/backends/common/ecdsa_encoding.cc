// SPDX-License-Identifier: Apache-2.0
// ECDSA r‖s <-> DER conversion on OpenSSL's ECDSA_SIG codec, made strict by re-encoding.
#include "backends/common/ecdsa_encoding.h"

#include <algorithm>
#include <climits>

#include <fmt/format.h>

#include "backends/common/openssl_util.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::common {
namespace {

Result<Bytes> encode(const ECDSA_SIG* sig) {
  const int size = i2d_ECDSA_SIG(sig, nullptr);
  if (size <= 0) return openssl_failure("i2d_ECDSA_SIG");
  Bytes der(static_cast<std::size_t>(size));
  unsigned char* cursor = der.data();
  if (i2d_ECDSA_SIG(sig, &cursor) != size) return openssl_failure("i2d_ECDSA_SIG");
  return der;
}

std::unexpected<HsmError> not_strict(std::string_view why) {
  discard_openssl_errors();
  return fail(ErrorCode::DataInvalid, fmt::format("ECDSA signature is not strict DER: {}", why));
}

}  // namespace

Result<Bytes> ecdsa_raw_to_der(ByteView raw, std::size_t field_bytes) {
  if (field_bytes == 0 || field_bytes > INT_MAX / 2 || raw.size() != 2 * field_bytes) {
    return fail(ErrorCode::DataLenRange, fmt::format("raw ECDSA signature of {} bytes, expected {}",
                                                     raw.size(), 2 * field_bytes));
  }
  const int half = static_cast<int>(field_bytes);
  ossl::BignumPtr r(BN_bin2bn(raw.data(), half, nullptr));
  ossl::BignumPtr s(BN_bin2bn(raw.data() + field_bytes, half, nullptr));
  ossl::EcdsaSigPtr sig(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || sig == nullptr) return openssl_failure("ECDSA_SIG_new");
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return openssl_failure("ECDSA_SIG_set0");
  // The signature owns them now.
  static_cast<void>(r.release());
  static_cast<void>(s.release());
  return encode(sig.get());
}

Result<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t field_bytes) {
  if (field_bytes == 0 || field_bytes > INT_MAX / 2) {
    return fail(ErrorCode::InvalidArgument, fmt::format("field size of {} bytes", field_bytes));
  }
  if (der.empty()) return not_strict("empty");
  if (der.size() > static_cast<std::size_t>(LONG_MAX)) return not_strict("too long");
  const unsigned char* cursor = der.data();
  ossl::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (sig == nullptr) return not_strict("does not parse");
  if (cursor != der.data() + der.size()) return not_strict("trailing bytes");

  // d2i is lenient (BER lengths, redundant leading bytes, and it drops the sign of negative
  // integers); equality with the canonical re-encoding rules all of that out.
  CRATON_ASSIGN_OR_RETURN(const Bytes canonical, encode(sig.get()));
  if (!std::equal(canonical.begin(), canonical.end(), der.begin(), der.end())) {
    return not_strict("not the canonical encoding");
  }

  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  Bytes raw(2 * field_bytes);
  const int half = static_cast<int>(field_bytes);
  if (BN_bn2binpad(r, raw.data(), half) != half ||
      BN_bn2binpad(s, raw.data() + field_bytes, half) != half) {
    return not_strict("an integer is wider than the field");
  }
  return raw;
}

}  // namespace craton::hsm::common
