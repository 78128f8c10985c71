// SPDX-License-Identifier: Apache-2.0
// HMAC-SHA-256/384/512 (RFC 2104) through EVP_MAC, and its constant-time verification.
#include <string>

#include <fmt/format.h>
#include <openssl/core_names.h>

#include "backends/common/key_checks.h"
#include "backends/common/openssl_util.h"
#include "backends/software/software_backend.h"
#include "keys/key_material.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::software {

using common::data_or_empty;
using common::openssl_failure;
using common::require_in_memory;

using common::require_kind;

Result<Bytes> SoftwareBackend::hmac(const Key& key, HashAlg hash, ByteView message) {
  CRATON_RETURN_IF_ERROR(require_kind(key, {KeyKind::Hmac}, "HMAC"));
  CRATON_RETURN_IF_ERROR(require_in_memory(key));
  if (hash == HashAlg::Sha224) {
    return fail(ErrorCode::MechanismUnsupported, "HMAC-SHA-224 is not supported");
  }
  CRATON_RETURN_IF_ERROR(check_input_size(message.size(), "message"));
  CRATON_ASSIGN_OR_RETURN(const EVP_MD* md, algorithms_.digest(hash));
  CRATON_ASSIGN_OR_RETURN(EVP_MAC * mac, algorithms_.hmac());

  ossl::MacCtxPtr ctx(EVP_MAC_CTX_new(mac));
  if (ctx == nullptr) return openssl_failure("EVP_MAC_CTX_new");
  // OSSL_PARAM holds a non-const pointer for both directions; EVP_MAC_init only reads it.
  std::string digest_name = EVP_MD_get0_name(md);
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name.data(), 0),
      OSSL_PARAM_construct_end()};
  const ByteView secret = key.material().secret.expose();
  if (EVP_MAC_init(ctx.get(), secret.data(), secret.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), data_or_empty(message), message.size()) != 1) {
    return openssl_failure("EVP_MAC_init");
  }
  Bytes tag(digest_size(hash));
  std::size_t size = 0;
  if (EVP_MAC_final(ctx.get(), tag.data(), &size, tag.size()) != 1 || size != tag.size()) {
    return openssl_failure("EVP_MAC_final");
  }
  return tag;
}

Result<VerifyOutcome> SoftwareBackend::hmac_verify(const Key& key, HashAlg hash, ByteView message,
                                                   ByteView tag) {
  CRATON_ASSIGN_OR_RETURN(const Bytes expected, hmac(key, hash, message));
  // Only full-length tags are accepted: a truncated tag (RFC 2104 §5) would weaken every
  // caller's forgery bound without them asking for it. The length is public, so the early
  // answer leaks nothing; the comparison of equal lengths is constant-time.
  return constant_time_equal(expected, tag) ? VerifyOutcome::Valid : VerifyOutcome::Invalid;
}

}  // namespace craton::hsm::software
