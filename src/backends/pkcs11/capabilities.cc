// SPDX-License-Identifier: Apache-2.0
// Probing the token's mechanisms and session objects, and applying its vendor profile.
#include "backends/pkcs11/capabilities.h"

#include <craton/hsm/diagnostics.h>

#include <random>

#include <fmt/format.h>

#include "pkcs11/session/attributes.h"
#include "pkcs11/session/mechanism_names.h"
#include "pkcs11/session/object_search.h"
#include "pkcs11/session/session.h"
#include "pkcs11/session/token.h"

namespace craton::hsm::pkcs11 {
namespace {

// What the token says when it will not make a session object: the template or the action
// refused, never a device, session or memory failure (which say nothing about the template).
bool refuses_template(ErrorCode code) {
  return code == ErrorCode::AttributeInvalid || code == ErrorCode::TemplateInvalid ||
         code == ErrorCode::KeyFunctionNotPermitted || code == ErrorCode::FunctionNotSupported;
}

std::string probe_label() {
  std::random_device device;
  return fmt::format("craton-session-probe-{:08x}{:08x}", device(), device());
}

struct Created {
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  bool token = false;  // CKA_TOKEN as read back
};

// On a session of its own, closed before returning: the object, and what CKA_TOKEN reads.
Result<Created> create_probe_object(const std::shared_ptr<const Module>& module, std::uint64_t slot,
                                    const std::string& label) {
  CRATON_ASSIGN_OR_RETURN(Session session, Session::open(module, slot));
  AttributeTemplate tmpl;
  tmpl.add_ulong(CKA_CLASS, CKO_DATA)
      .add_bool(CKA_TOKEN, false)
      .add_bool(CKA_PRIVATE, false)
      .add_bytes(CKA_LABEL, {reinterpret_cast<const std::uint8_t*>(label.data()), label.size()});
  Created created;
  CRATON_RETURN_IF_ERROR(session.call<Fn::CreateObject>(tmpl.data(), tmpl.size(), &created.object));
  CK_BBOOL token = CK_FALSE;
  CK_ATTRIBUTE attribute{CKA_TOKEN, &token, sizeof token};
  // A token that cannot say is judged by the search alone.
  if (session.call<Fn::GetAttributeValue>(created.object, &attribute, CK_ULONG{1})) {
    created.token = token != CK_FALSE;
  }
  CRATON_RETURN_IF_ERROR(session.close());
  return created;
}

// A plain session as find_objects takes it: no pool, so no session to mark dead.
struct PlainLease {
  const Session& session;
  template <Fn F, typename... Args>
  Result<void> call(Args... args) const {
    return session.call<F>(args...);
  }
  void note_failure(const HsmError& /*error*/) noexcept {}
};

// Every data object labelled `label`, destroyed; how many there were.
template <typename L>
Result<std::size_t> destroy_labelled(L& lease, const std::string& label) {
  AttributeTemplate tmpl;
  tmpl.add_ulong(CKA_CLASS, CKO_DATA)
      .add_bytes(CKA_LABEL, {reinterpret_cast<const std::uint8_t*>(label.data()), label.size()});
  CRATON_ASSIGN_OR_RETURN(const std::vector<CK_OBJECT_HANDLE> found, find_objects(lease, tmpl));
  for (const CK_OBJECT_HANDLE object : found) {
    CRATON_RETURN_IF_ERROR(lease.template call<Fn::DestroyObject>(object));
  }
  return found.size();
}

}  // namespace

std::string_view session_objects_name(SessionObjects value) noexcept {
  switch (value) {
    case SessionObjects::Unknown:
      return "unknown";
    case SessionObjects::Kept:
      return "kept";
    case SessionObjects::Rejected:
      return "rejected";
    case SessionObjects::Persisted:
      return "persisted";
  }
  return "unknown";
}

Result<Capabilities> Capabilities::probe(const Module& module, std::uint64_t slot,
                                         const Pkcs11PassthroughConfig& config) {
  CRATON_ASSIGN_OR_RETURN(const LibraryDescription library, describe_library(module));
  CRATON_ASSIGN_OR_RETURN(const TokenDescription token, describe_token(module, slot));
  CRATON_ASSIGN_OR_RETURN(const std::vector<MechanismDescription> mechanisms,
                          describe_mechanisms(module, slot));
  CRATON_ASSIGN_OR_RETURN(vendor::VendorProfile profile,
                          vendor::resolve(config, {.library_manufacturer = library.manufacturer,
                                                   .library_description = library.description,
                                                   .token_manufacturer = token.manufacturer,
                                                   .token_model = token.model}));
  return from(TokenFacts{.token_label = token.label,
                         .token_manufacturer = token.manufacturer,
                         .library_manufacturer = library.manufacturer},
              mechanisms, profile);
}

Capabilities Capabilities::from(TokenFacts names, std::span<const Pkcs11MechanismInfo> mechanisms,
                                vendor::VendorProfile profile) {
  Capabilities capabilities;
  capabilities.manufacturer_ = names.library_manufacturer;
  for (const auto& mechanism : mechanisms) {
    capabilities.mechanisms_.insert(mechanism.type);
    capabilities.flags_[mechanism.type] = mechanism.flags;
  }
  // The profile's readings, never the names': a module named like SoftHSM2 under another
  // profile (vendor_profile = "generic") gets the spec's behaviour, and the other way round.
  names.oaep_sha1_only = profile.quirks.oaep_sha1_only;
  names.aes_key_wrap_pad = profile.quirks.aes_key_wrap_pad;
  capabilities.profile_ = profile;
  capabilities.table_ = CapabilityTable::build(mechanisms, std::move(names));
  return capabilities;
}

TokenCapabilities Capabilities::describe() const {
  TokenCapabilities described;
  described.token_label = table_.facts().token_label;
  described.token_manufacturer = table_.facts().token_manufacturer;
  described.library_manufacturer = manufacturer_;
  described.schemes = table_.describe();
  described.session_objects = std::string(session_objects_name(session_objects_));
  described.session_objects_detail = session_objects_reason_;
  described.vendor_profile = std::string(profile_.name);
  described.vendor_profile_source = profile_.detected ? "detected" : "configured";
  described.vendor_profile_overridden = profile_.overridden;
  described.vendor_quirks = vendor::active_quirks(profile_.quirks);
  return described;
}

void Capabilities::probe_session_objects(const std::shared_ptr<const Module>& module,
                                         std::uint64_t slot, SessionPool& pool) {
  probe_session_objects_with(
      module, slot,
      [&pool](const std::string& label) {
        return pool.run([&](Lease& lease) { return destroy_labelled(lease, label); });
      },
      /*quiet=*/false);
}

void Capabilities::probe_session_objects(const std::shared_ptr<const Module>& module,
                                         std::uint64_t slot) {
  probe_session_objects_with(
      module, slot,
      [&](const std::string& label) -> Result<std::size_t> {
        CRATON_ASSIGN_OR_RETURN(Session session, Session::open(module, slot));
        PlainLease lease{session};
        CRATON_ASSIGN_OR_RETURN(const std::size_t found, destroy_labelled(lease, label));
        CRATON_RETURN_IF_ERROR(session.close());
        return found;
      },
      /*quiet=*/true);
}

void Capabilities::note_probe_failure(const HsmError& error, bool quiet) {
  // Kept for messages and `info` either way; a backend also reports it as a diagnostic.
  session_objects_reason_ = fmt::format("the probe could not finish: {}", error);
  if (!quiet) report_diagnostic(error);
}

void Capabilities::probe_session_objects_with(const std::shared_ptr<const Module>& module,
                                              std::uint64_t slot, const ProbeSearch& search,
                                              bool quiet) {
  const std::string label = probe_label();
  Result<Created> created = create_probe_object(module, slot, label);
  if (!created) {
    const HsmError& error = created.error();
    if (error.function() == function_name(Fn::CreateObject) && refuses_template(error.code())) {
      session_objects_ = SessionObjects::Rejected;
      session_objects_reason_ =
          fmt::format("C_CreateObject of a CKA_TOKEN=false object answered {}",
                      error.rv_name().empty() ? std::string_view("an error") : error.rv_name());
      return;
    }
    note_probe_failure(error, quiet);
    return;  // Unknown
  }
  // From another session, after the creating one closed: a session object is gone.
  Result<std::size_t> persisted = search(label);
  if (!persisted) {
    note_probe_failure(persisted.error(), quiet);
    // Still proven by the read-back, when it said so.
    if (created->token) session_objects_ = SessionObjects::Persisted;
  } else if (created->token || *persisted > 0) {
    session_objects_ = SessionObjects::Persisted;
  } else {
    session_objects_ = SessionObjects::Kept;
    return;
  }
  if (session_objects_ == SessionObjects::Persisted) {
    session_objects_reason_ = created->token ? "a CKA_TOKEN=false object reads back CKA_TOKEN=true"
                                             : "a CKA_TOKEN=false object outlives its session";
  }
}

Result<void> Capabilities::require_session_objects(std::string_view what,
                                                   std::string_view remedy) const {
  if (keeps_session_objects()) return {};
  return fail(ErrorCode::MechanismUnsupported,
              fmt::format("{}: this token keeps no session objects ({}), so nothing is created "
                          "for it; {}",
                          what, session_objects_reason_, remedy));
}

Result<void> Capabilities::require(CK_MECHANISM_TYPE mechanism, std::string_view what) const {
  if (has(mechanism)) return {};
  return fail(
      ErrorCode::MechanismUnsupported,
      fmt::format("{}: the token '{}' ({}) does not offer {}", what, table_.facts().token_label,
                  table_.facts().token_manufacturer, describe_mechanism(mechanism)));
}

}  // namespace craton::hsm::pkcs11
