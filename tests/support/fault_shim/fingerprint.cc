// SPDX-License-Identifier: Apache-2.0
// Reading a token object's public identity in two calls (lengths, then values).
#include "fingerprint.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "real_module.h"

namespace craton::hsm::fault_shim {
namespace {

// CKA_TOKEN first: the fingerprint exists only for token objects. None of these is secret.
constexpr std::array<CK_ATTRIBUTE_TYPE, 14> kIdentity{
    CKA_TOKEN,       CKA_CLASS,    CKA_KEY_TYPE,      CKA_LABEL,           CKA_ID,
    CKA_CHECK_VALUE, CKA_EC_POINT, CKA_EC_PARAMS,     CKA_MODULUS,         CKA_PUBLIC_EXPONENT,
    CKA_VALUE_LEN,   CKA_SUBJECT,  CKA_SERIAL_NUMBER, CKA_CERTIFICATE_TYPE};

}  // namespace

std::optional<std::string> token_fingerprint(CK_SESSION_HANDLE real_session,
                                             CK_OBJECT_HANDLE real_object) {
  std::array<CK_ATTRIBUTE, kIdentity.size()> query{};
  for (std::size_t i = 0; i < kIdentity.size(); ++i) query[i] = {kIdentity[i], nullptr, 0};
  // Unknown or sensitive entries come back unavailable (v2.40 §5.7); the rest are read.
  real()->C_GetAttributeValue(real_session, real_object, query.data(), query.size());
  std::vector<std::vector<CK_BYTE>> values(kIdentity.size());
  for (std::size_t i = 0; i < kIdentity.size(); ++i) {
    if (query[i].ulValueLen == CK_UNAVAILABLE_INFORMATION) {
      query[i].ulValueLen = 0;
      continue;
    }
    values[i].resize(query[i].ulValueLen);
    query[i].pValue = values[i].empty() ? nullptr : values[i].data();
  }
  real()->C_GetAttributeValue(real_session, real_object, query.data(), query.size());
  if (values[0].size() != sizeof(CK_BBOOL) || values[0][0] != CK_TRUE) return std::nullopt;
  std::string fingerprint;
  for (std::size_t i = 1; i < kIdentity.size(); ++i) {
    const CK_ULONG length =
        query[i].ulValueLen == CK_UNAVAILABLE_INFORMATION ? 0 : query[i].ulValueLen;
    fingerprint.append(std::to_string(length)).append(":");
    fingerprint.append(values[i].begin(),
                       values[i].begin() + static_cast<std::ptrdiff_t>(
                                               std::min<std::size_t>(length, values[i].size())));
  }
  return fingerprint;
}

}  // namespace craton::hsm::fault_shim
