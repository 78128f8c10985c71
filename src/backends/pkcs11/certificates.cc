// SPDX-License-Identifier: Apache-2.0
// X.509 certificates on the token: import_certificate and export_certificate.
#include <fmt/format.h>

#include "backends/common/x509_fields.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "backends/pkcs11/resident_lookup.h"
#include "pkcs11/session/attributes.h"
#include "pkcs11/session/object_search.h"
#include "pkcs11/session/readback.h"

namespace craton::hsm::pkcs11 {
namespace {

// KeyAlreadyExists when a certificate has the spec's label or id.
Result<void> require_unused(Lease& lease, const CertificateSpec& spec) {
  for (const bool by_label : {true, false}) {
    KeyRef named;
    named.object_class = ObjectClass::Certificate;
    if (by_label) {
      named.label = spec.label;
    } else {
      named.id = spec.id;
    }
    CRATON_ASSIGN_OR_RETURN(const auto found, find_key_objects(lease, named));
    if (!found.empty()) {
      return fail(ErrorCode::KeyAlreadyExists,
                  fmt::format("a certificate with this {} already exists on the token (label "
                              "'{}')",
                              by_label ? "label" : "id", spec.label));
    }
  }
  return {};
}

}  // namespace

Result<TokenObjectInfo> Pkcs11PassthroughBackend::import_certificate(
    std::span<const std::uint8_t> der, const CertificateSpec& spec) {
  CRATON_RETURN_IF_ERROR(check_label_and_id(spec.label, spec.id, "a certificate"));
  CRATON_ASSIGN_OR_RETURN(const common::X509Fields fields, common::parse_x509_fields(der));
  // One lease and no retry: a creation repeated on a rebuilt session could store it twice.
  CRATON_ASSIGN_OR_RETURN(Lease lease, pool_->acquire());
  CRATON_RETURN_IF_ERROR(require_unused(lease, spec));
  AttributeTemplate tmpl;
  const std::span<const std::uint8_t> label(
      reinterpret_cast<const std::uint8_t*>(spec.label.data()), spec.label.size());
  tmpl.add_ulong(CKA_CLASS, CKO_CERTIFICATE)
      .add_ulong(CKA_CERTIFICATE_TYPE, CKC_X_509)
      .add_bool(CKA_TOKEN, true)
      .add_bool(CKA_PRIVATE, false)
      .add_bytes(CKA_LABEL, label)
      .add_bytes(CKA_ID, spec.id)
      .add_bytes(CKA_SUBJECT, fields.subject)
      .add_bytes(CKA_ISSUER, fields.issuer)
      .add_bytes(CKA_SERIAL_NUMBER, fields.serial)
      .add_bytes(CKA_VALUE, der);
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  if (auto created = lease.call<Fn::CreateObject>(tmpl.data(), tmpl.size(), &object); !created) {
    if (created.error().action() != ErrorAction::RebuildSession) {
      return std::unexpected(std::move(created).error());
    }
    return fail(ErrorCode::OutcomeUnknown,
                fmt::format("storing the certificate labelled '{}' failed ({}), and the token "
                            "may hold it: list --class cert to see",
                            spec.label, created.error().to_string()));
  }
  TokenObjectInfo info;
  info.object_class = ObjectClass::Certificate;
  info.label = spec.label;
  info.id = spec.id;
  info.uri = object_uri(token_, spec.label, spec.id, ObjectClass::Certificate);
  info.handle = static_cast<std::uint64_t>(object);
  info.kind = "X.509";
  info.value_bytes = der.size();
  return info;
}

Result<std::vector<std::uint8_t>> Pkcs11PassthroughBackend::export_certificate(const KeyRef& ref) {
  if (ref.object_class && *ref.object_class != ObjectClass::Certificate) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("{} names a {} object, not a certificate", ref.to_uri(),
                            object_class_name(*ref.object_class)));
  }
  KeyRef cert = ref;
  cert.object_class = ObjectClass::Certificate;
  if (!cert.label && !cert.id && !cert.handle) {
    return fail(ErrorCode::InvalidArgument, "a certificate reference needs a label, an id or both");
  }
  return pool_->run([&](Lease& lease) -> Result<std::vector<std::uint8_t>> {
    CRATON_ASSIGN_OR_RETURN(const auto found, find_key_objects(lease, cert));
    if (found.size() != 1) {
      return fail(found.empty() ? ErrorCode::KeyNotFound : ErrorCode::KeyAmbiguous,
                  fmt::format("{} certificates match {}", found.size(), cert.to_uri()));
    }
    return read_public_attribute(lease, found.front(), CKA_VALUE);
  });
}

}  // namespace craton::hsm::pkcs11
