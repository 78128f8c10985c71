// SPDX-License-Identifier: Apache-2.0
// store_key_object: create, unwrap, or create then (auto) unwrap.
#include "backends/pkcs11/key_store.h"

#include <craton/hsm/diagnostics.h>

#include <fmt/format.h>

#include "backends/pkcs11/key_import.h"
#include "core/operation_notes.h"

namespace craton::hsm::pkcs11 {

Result<CK_OBJECT_HANDLE> store_key_object(Lease& lease, const KeyMaterial& material,
                                          const ObjectOptions& options, ImportPolicy& policy,
                                          const UnwrapImportContext& context) {
  // A key the token has no mechanism for is not offered to it: its refusal would say nothing
  // about clear values, and auto mode must not learn from it.
  CRATON_RETURN_IF_ERROR(context.capabilities.table().require_key_kind(material.kind));
  const std::optional<ImportClass> key_class = import_class(material.kind);
  if (!key_class) return create_key_object(lease, material, options);
  if (policy.by_unwrap(*key_class)) return unwrap_key_object(lease, material, options, context);
  Result<CK_OBJECT_HANDLE> created = create_key_object(lease, material, options);
  if (created || !policy.may_switch(created.error())) return created;
  // The switch is learned only from an unwrap that works: a refusal about something else (a
  // curve or size the token lacks) must not send every later key of the class by unwrap.
  Result<CK_OBJECT_HANDLE> unwrapped = unwrap_key_object(lease, material, options, context);
  if (!unwrapped) {
    // A lost session or device is the pool's to handle (rebuild, retry): said as it is.
    if (unwrapped.error().is_transient()) return unwrapped;
    const HsmError& refused = created.error();
    return std::unexpected(HsmError(
        refused.code(),
        fmt::format("{}; by C_UnwrapKey (import_method = \"auto\") it failed too ({}); nothing "
                    "was learned",
                    refused.message(), unwrapped.error().to_string()),
        refused.function(), refused.rv().value_or(0), refused.rv_name()));
  }
  // Said once per class (the switch is for good), so operators see why imports changed.
  if (policy.switch_to_unwrap(*key_class) == ImportPolicy::Refusal::SwitchedNow) {
    if (OperationNotes* notes = ObservedOperation::current()) {
      notes->import_switched = import_class_name(*key_class);
    }
    report_diagnostic(HsmError(
        ErrorCode::TemplateInvalid,
        fmt::format("import_method = \"auto\": the token refused C_CreateObject of a {} key ({}); "
                    "{} keys go in by C_UnwrapKey from now on",
                    import_class_name(*key_class), created.error().to_string(),
                    import_class_name(*key_class))));
  }
  return unwrapped;
}

}  // namespace craton::hsm::pkcs11
