// SPDX-License-Identifier: Apache-2.0
// The stable snake_case names of AuditOperation that trail parsers key on.
#include <craton/hsm/audit.h>

#include <array>
#include <string_view>
#include <utility>

namespace craton::hsm {
namespace {

using enum AuditOperation;

struct OperationName {
  AuditOperation op;
  std::string_view name;
};

// One row per operation, in enum order (checked below). Names are part of the file format.
constexpr std::array kNames{
    OperationName{BackendStart, "backend_start"},
    OperationName{BackendStop, "backend_stop"},
    OperationName{Login, "login"},
    OperationName{PoolRebuild, "pool_rebuild"},
    OperationName{KeyImport, "key_import"},
    OperationName{KeyGenerate, "key_generate"},
    OperationName{KeyImportResident, "key_import_resident"},
    OperationName{KeyDestroy, "key_destroy"},
    OperationName{GcmBudgetRefused, "gcm_budget_refused"},
    OperationName{AuditFailOpen, "audit_fail_open"},
    OperationName{Sign, "sign"},
    OperationName{SignDigest, "sign_digest"},
    OperationName{Verify, "verify"},
    OperationName{VerifyDigest, "verify_digest"},
    OperationName{AesGcmEncrypt, "aes_gcm_encrypt"},
    OperationName{AesGcmDecrypt, "aes_gcm_decrypt"},
    OperationName{AesCbcEncrypt, "aes_cbc_encrypt"},
    OperationName{AesCbcDecrypt, "aes_cbc_decrypt"},
    OperationName{AesCtr, "aes_ctr"},
    OperationName{RsaOaepEncrypt, "rsa_oaep_encrypt"},
    OperationName{RsaOaepDecrypt, "rsa_oaep_decrypt"},
    OperationName{WrapKey, "wrap_key"},
    OperationName{UnwrapKey, "unwrap_key"},
    OperationName{Ecdh, "ecdh"},
    OperationName{Hmac, "hmac"},
    OperationName{HmacVerify, "hmac_verify"},
    OperationName{Digest, "digest"},
    OperationName{Random, "random"},
    OperationName{GenerateKey, "generate_key"},
    OperationName{FindKey, "find_key"},
    OperationName{ListKeys, "list_keys"},
    OperationName{ExportPublicKey, "export_public_key"},
    OperationName{CertificateImport, "certificate_import"},
    OperationName{ListObjects, "list_objects"},
    OperationName{ExportCertificate, "export_certificate"},
    OperationName{Recovery, "recovery"},
};

constexpr bool names_in_enum_order() {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (std::to_underlying(kNames[i].op) != i) return false;
  }
  return true;
}
static_assert(names_in_enum_order(), "kNames must list every AuditOperation in enum order");
static_assert(kNames.back().op == Recovery, "a new AuditOperation needs a name here");

}  // namespace

std::string_view audit_operation_name(AuditOperation op) noexcept {
  const auto index = static_cast<std::size_t>(std::to_underlying(op));
  return index < kNames.size() ? kNames[index].name : "unknown";
}

}  // namespace craton::hsm
