// SPDX-License-Identifier: Apache-2.0
// store_key_object: create, unwrap, or create then (auto) unwrap.
#include "backends/pkcs11/key_store.h"

#include <craton/hsm/diagnostics.h>

#include <fmt/format.h>

#include "backends/pkcs11/key_import.h"

namespace craton::hsm::pkcs11 {

Result<CK_OBJECT_HANDLE> store_key_object(Lease& lease, const KeyMaterial& material,
                                          const ObjectOptions& options, ImportPolicy& policy,
                                          const UnwrapImportContext& context) {
  const std::optional<ImportClass> key_class = import_class(material.kind);
  if (!key_class) return create_key_object(lease, material, options);
  if (policy.by_unwrap(*key_class)) return unwrap_key_object(lease, material, options, context);
  Result<CK_OBJECT_HANDLE> created = create_key_object(lease, material, options);
  if (created) return created;
  const ImportPolicy::Refusal refusal = policy.switch_after_refusal(*key_class, created.error());
  if (refusal == ImportPolicy::Refusal::Stands) return created;
  // Said once per class (the switch is for good), so operators see why imports changed.
  if (refusal == ImportPolicy::Refusal::SwitchedNow) {
    report_diagnostic(HsmError(
        ErrorCode::TemplateInvalid,
        fmt::format("import_method = \"auto\": the token refused C_CreateObject of a {} key ({}); "
                    "{} keys go in by C_UnwrapKey from now on",
                    import_class_name(*key_class), created.error().to_string(),
                    import_class_name(*key_class))));
  }
  return unwrap_key_object(lease, material, options, context);
}

}  // namespace craton::hsm::pkcs11
