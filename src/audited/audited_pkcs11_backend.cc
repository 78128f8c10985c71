// SPDX-License-Identifier: Apache-2.0
// AuditedPkcs11Backend: the resident-key operations, audited; the token changes write-ahead.
#include "audited/audited_pkcs11_backend.h"

namespace craton::hsm::audited {
namespace {

// A key about to be created is named by what the spec gives it.
KeyRef ref_of(const ResidentKeySpec& spec) {
  KeyRef ref;
  ref.label = spec.label;
  ref.id = spec.id;
  return ref;
}

}  // namespace

Result<Key> AuditedPkcs11Backend::generate_resident_key(const ResidentKeySpec& spec) {
  return recorder_.write_ahead<Key>(AuditOperation::KeyGenerate, Recorder::key(ref_of(spec)),
                                    [&] { return inner_->generate_resident_key(spec); });
}

Result<Key> AuditedPkcs11Backend::import_resident_key(const Key& material,
                                                      const ResidentKeySpec& spec) {
  return recorder_.write_ahead<Key>(AuditOperation::KeyImportResident, Recorder::key(ref_of(spec)),
                                    [&] { return inner_->import_resident_key(material, spec); });
}

Result<Key> AuditedPkcs11Backend::find_key(const KeyRef& ref) {
  return recorder_.audited<Key>(AuditOperation::FindKey, Recorder::key(ref), 0,
                                [&] { return inner_->find_key(ref); });
}

Result<std::vector<ResidentKeyInfo>> AuditedPkcs11Backend::list_keys() {
  return recorder_.audited<std::vector<ResidentKeyInfo>>(AuditOperation::ListKeys, {}, 0,
                                                         [&] { return inner_->list_keys(); });
}

Result<std::vector<TokenObjectInfo>> AuditedPkcs11Backend::list_objects(const ObjectQuery& query) {
  return recorder_.audited<std::vector<TokenObjectInfo>>(
      AuditOperation::ListObjects, {}, 0, [&] { return inner_->list_objects(query); });
}

Result<TokenObjectInfo> AuditedPkcs11Backend::import_certificate(std::span<const std::uint8_t> der,
                                                                 const CertificateSpec& spec) {
  const KeyRef ref{
      .label = spec.label, .id = spec.id, .object_class = ObjectClass::Certificate, .handle = {}};
  return recorder_.write_ahead<TokenObjectInfo>(
      AuditOperation::CertificateImport, Recorder::key(ref),
      [&] { return inner_->import_certificate(der, spec); });
}

Result<std::vector<std::uint8_t>> AuditedPkcs11Backend::export_certificate(const KeyRef& ref) {
  return recorder_.audited<std::vector<std::uint8_t>>(
      AuditOperation::ExportCertificate, Recorder::key(ref), 0,
      [&] { return inner_->export_certificate(ref); });
}

Result<std::vector<std::uint8_t>> AuditedPkcs11Backend::export_public_key(const KeyRef& ref) {
  return recorder_.audited<std::vector<std::uint8_t>>(
      AuditOperation::ExportPublicKey, Recorder::key(ref), 0,
      [&] { return inner_->export_public_key(ref); });
}

Result<void> AuditedPkcs11Backend::destroy_key(const KeyRef& ref) {
  return recorder_.write_ahead<void>(AuditOperation::KeyDestroy, Recorder::key(ref),
                                     [&] { return inner_->destroy_key(ref); });
}

}  // namespace craton::hsm::audited
