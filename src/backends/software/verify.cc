// SPDX-License-Identifier: Apache-2.0
// Verifying a signature over a message or a caller-computed digest, answering Valid/Invalid:
// the backend's key and input checks, then the shared verification (common/signature_verify).
#include "backends/common/signature_scheme.h"
#include "backends/common/signature_verify.h"
#include "backends/software/software_backend.h"

namespace craton::hsm::software {

using common::check_digest_length;
using common::KeyUse;
using common::require_prehash;
using common::scheme_digest;
using common::scheme_key;
using common::Signed;
using common::verify_signature;

Result<VerifyOutcome> SoftwareBackend::verify(const Key& key, SignScheme scheme, ByteView message,
                                              ByteView signature, SignatureEncoding encoding) {
  CRATON_ASSIGN_OR_RETURN(EVP_PKEY * pkey, scheme_key(key, scheme, KeyUse::Verify));
  CRATON_RETURN_IF_ERROR(check_input_size(message.size(), "message"));
  CRATON_ASSIGN_OR_RETURN(const EVP_MD* md, scheme_digest(algorithms_, scheme));
  return verify_signature(pkey, scheme, md, Signed::Message, message, signature, encoding);
}

Result<VerifyOutcome> SoftwareBackend::verify_digest(const Key& key, SignScheme scheme,
                                                     ByteView digest, ByteView signature,
                                                     SignatureEncoding encoding) {
  CRATON_RETURN_IF_ERROR(require_prehash(scheme));
  CRATON_ASSIGN_OR_RETURN(EVP_PKEY * pkey, scheme_key(key, scheme, KeyUse::Verify));
  CRATON_RETURN_IF_ERROR(check_digest_length(scheme, digest));
  CRATON_ASSIGN_OR_RETURN(const EVP_MD* md, algorithms_.digest(scheme_hash(scheme)));
  return verify_signature(pkey, scheme, md, Signed::Digest, digest, signature, encoding);
}

}  // namespace craton::hsm::software
