// SPDX-License-Identifier: Apache-2.0
// Reading a certificate's subject, issuer and serial number as DER.
#include "backends/common/x509_fields.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <memory>

#include "keys/openssl_ptr.h"

namespace craton::hsm::common {
namespace {

using X509Ptr = std::unique_ptr<X509, ossl::Deleter<X509_free>>;

// i2d of one structure into Bytes; empty when it cannot be encoded.
template <typename T, typename Encode>
Bytes encode(const T* value, Encode i2d) {
  const int length = i2d(value, nullptr);
  if (length <= 0) return {};
  Bytes out(static_cast<std::size_t>(length));
  unsigned char* cursor = out.data();
  if (i2d(value, &cursor) != length) return {};
  return out;
}

}  // namespace

Result<X509Fields> parse_x509_fields(ByteView der) {
  const unsigned char* cursor = der.data();
  const X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!cert || cursor != der.data() + der.size()) {
    ERR_clear_error();
    return fail(ErrorCode::InvalidArgument, "not one whole DER X.509 certificate");
  }
  X509Fields fields;
  fields.subject = encode(X509_get_subject_name(cert.get()), i2d_X509_NAME);
  fields.issuer = encode(X509_get_issuer_name(cert.get()), i2d_X509_NAME);
  fields.serial = encode(X509_get0_serialNumber(cert.get()), i2d_ASN1_INTEGER);
  if (fields.subject.empty() || fields.issuer.empty() || fields.serial.empty()) {
    ERR_clear_error();
    return fail(ErrorCode::InvalidArgument,
                "the certificate's subject, issuer or serial number "
                "cannot be encoded");
  }
  return fields;
}

}  // namespace craton::hsm::common
