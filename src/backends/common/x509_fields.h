// SPDX-License-Identifier: Apache-2.0
// The fields of an X.509 certificate that PKCS#11 stores beside it (CKA_SUBJECT, CKA_ISSUER,
// CKA_SERIAL_NUMBER), read with OpenSSL.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>

namespace craton::hsm::common {

struct X509Fields {
  Bytes subject;  // DER Name
  Bytes issuer;   // DER Name
  Bytes serial;   // DER INTEGER (PKCS#11 v2.40 §4.6.3: "DER-encoding of the serial number")
};

// Errors: InvalidArgument when `der` is not exactly one DER X.509 certificate.
[[nodiscard]] Result<X509Fields> parse_x509_fields(ByteView der);

}  // namespace craton::hsm::common
