// SPDX-License-Identifier: Apache-2.0
// Token-resident keys: generation, import, lookup, listing, export and destruction.
#include <algorithm>

#include <fmt/format.h>

#include "backends/pkcs11/creation_locks.h"
#include "backends/pkcs11/host_lock.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "backends/pkcs11/resident_keygen.h"
#include "backends/pkcs11/resident_lookup.h"
#include "backends/pkcs11/resident_pairs.h"
#include "config/rules.h"
#include "core/operation_notes.h"
#include "pkcs11/session/object_search.h"
#include "pkcs11/session/token.h"
#include "uri/attributes.h"

namespace craton::hsm::pkcs11 {
namespace {

// Runs `attempt(lease, changing)` for a call that changes the token, on a pooled session, and
// once more on a rebuilt one only when the session died before `attempt` set `changing`:
// repeating a search is safe, repeating a creation or destruction is not (the pool's own
// retry would repeat it).
template <typename Attempt>
auto run_until_changing(SessionPool& pool, bool& changing, Attempt&& attempt)
    -> decltype(attempt(std::declval<Lease&>())) {
  for (int tries = 0;; ++tries) {
    auto result = [&]() -> decltype(attempt(std::declval<Lease&>())) {
      CRATON_ASSIGN_OR_RETURN(Lease lease, pool.acquire());
      return attempt(lease);
    }();
    if (result || changing || tries > 0 || result.error().action() != ErrorAction::RebuildSession) {
      return result;
    }
  }
}

}  // namespace

Result<void> Pkcs11PassthroughBackend::require_login_for_keys(std::string_view action,
                                                              const ResidentKeySpec& spec) const {
  if (pool_->logs_in() || config_.allow_keys_without_login) return {};
  // Without a login the object could not be CKA_PRIVATE, and a persistent key anyone can use
  // without the PIN is what the PIN exists to prevent. Refused before any token call.
  return fail(ErrorCode::LoginRequired,
              fmt::format("{} the key labelled {:?} needs a user login, and this backend has no "
                          "PIN: the key would be public (CKA_PRIVATE false), usable by anyone who "
                          "can open the token. Configure the PIN (pin_env, pin_file), or set "
                          "allow_keys_without_login = true to accept such keys",
                          action, spec.label));
}

Result<Key> Pkcs11PassthroughBackend::load_resident(Lease& lease, CK_OBJECT_HANDLE object,
                                                    const KeyUsages& extra_usages) {
  // Read before the object: a destroy that lands in between leaves an outdated stamp, so the
  // handle is proven again on first use rather than trusted.
  const std::uint64_t stamp = resident_stamp();
  CRATON_ASSIGN_OR_RETURN(const Key key, load_resident_key(lease, object, token_, extra_usages));
  // The handle is known now: the first operation needs no search.
  KeyState& state = key_state(key.material());
  state.resident.set(object, stamp);
  return key;
}

Result<Key> Pkcs11PassthroughBackend::generate_resident_key(const ResidentKeySpec& spec) {
  CRATON_ASSIGN_OR_RETURN(const KeyUsages usages, check_resident_spec(spec, capabilities_.table()));
  CRATON_RETURN_IF_ERROR(require_login_for_keys("generating", spec));
  return create_resident(spec, [&](Lease& lease, CreatedObjects& created) -> Result<void> {
    CRATON_ASSIGN_OR_RETURN(
        const Grant grant,
        generate_resident(lease, spec, usages, pool_->logs_in(), key_templates_, created));
    if (OperationNotes* notes = ObservedOperation::current()) {
      notes->extra_usages = grant.extra.to_string();
    }
    // Refused: create_resident destroys both halves and proves nothing answers to the names.
    CRATON_RETURN_IF_ERROR(judge_grant(grant, config_.strict_usages, spec.label));
    created.extra_usages = grant.extra;
    return {};
  });
}

Result<Key> Pkcs11PassthroughBackend::import_resident_key(const Key& material,
                                                          const ResidentKeySpec& spec) {
  if (material.is_resident()) {
    return fail(ErrorCode::InvalidArgument, "the key already lives on a token");
  }
  CRATON_ASSIGN_OR_RETURN(const KeyUsages usages, check_resident_import(spec, material.kind()));
  // A public key is public whoever stores it.
  if (material.is_private()) CRATON_RETURN_IF_ERROR(require_login_for_keys("importing", spec));
  // With a durable store the material's budget is named before the token changes, so that
  // the stored copy can always be joined to it (docs/budgets.md, "Stored copies").
  DurableBudgets::Counter* material_budget = nullptr;
  if (durable_budgets_ && material.kind() == KeyKind::Aes) {
    CRATON_ASSIGN_OR_RETURN(material_budget,
                            durable_counter(key_state(material.material()), material.material()));
  }
  // By C_CreateObject or C_UnwrapKey, as import_method (and what auto learnt) says.
  const StoreKeyObject store = [this](Lease& lease, const KeyMaterial& m,
                                      const ObjectOptions& options) {
    return store_object(lease, m, options);
  };
  CRATON_ASSIGN_OR_RETURN(
      Key resident, create_resident(spec, [&](Lease& lease, CreatedObjects& created) {
        return store_resident(lease, material, spec, usages, pool_->logs_in(), created, store);
      }));
  if (material.kind() == KeyKind::Aes) {
    // The same bytes are the same key: what the material sealed counts for the stored copy.
    GcmBudgets::process().share(key_state(resident.material()).fingerprint,
                                key_state(material.material()).fingerprint);
    // Durable: the material's counter joins the copy's on the copy's first encryption, when
    // its identity is made; from then on both count under the copy's row, which is first
    // charged with the material's history.
    if (material_budget != nullptr) {
      key_state(resident.material()).durable_join_from.store(material_budget);
    }
  }
  return resident;
}

Result<Key> Pkcs11PassthroughBackend::create_resident(const ResidentKeySpec& spec,
                                                      const CreateObjects& create) {
  // Threads of this process first (by label and id), then other local processes (by token).
  const CreationLocks::Hold hold =
      CreationLocks::process().acquire(token_.serial, spec.label, spec.id);
  const HostCreationLock host_lock = HostCreationLock::acquire(token_.serial);
  CreatedObjects created;
  bool changing = false;
  bool outcome_unknown = false;
  Result<Key> key = run_until_changing(*pool_, changing, [&](Lease& lease) -> Result<Key> {
    CRATON_RETURN_IF_ERROR(require_unused(lease, spec));
    changing = true;
    if (auto made = create(lease, created); !made) {
      // A failed call may still have made objects it never reported (the session died after
      // the token acted).
      outcome_unknown = true;
      return std::unexpected(std::move(made).error());
    }
    CRATON_RETURN_IF_ERROR(require_unused(lease, spec, created));
    return load_resident(lease, created.key, created.extra_usages);
  });
  if (key || !changing) return key;
  return undo_creation(spec, created, outcome_unknown, std::move(key).error());
}

Result<Key> Pkcs11PassthroughBackend::undo_creation(const ResidentKeySpec& spec,
                                                    const CreatedObjects& created,
                                                    bool outcome_unknown, HsmError error) {
  const std::string failed =
      fmt::format("creating the key labelled '{}' failed ({})", spec.label, error.to_string());
  // A fresh lease: the one that failed may hold a dead session.
  Result<Lease> lease = pool_->acquire();
  if (!lease) {
    return fail(ErrorCode::OutcomeUnknown,
                fmt::format("{}, and no session is left to check what the token holds ({})", failed,
                            lease.error().to_string()));
  }
  // A handle the token no longer knows proves nothing by itself: a reinserted token numbers
  // its objects afresh. The token is then checked by name, as after an unreported creation.
  bool handle_unknown = false;
  for (const CK_OBJECT_HANDLE object : {created.key, created.public_half}) {
    if (object == CK_INVALID_HANDLE) continue;
    auto destroyed = lease->call<Fn::DestroyObject>(object);
    if (destroyed) continue;
    if (destroyed.error().code() == ErrorCode::KeyHandleInvalid) {
      handle_unknown = true;
      continue;
    }
    return fail(ErrorCode::OutcomeUnknown,
                fmt::format("{}, and removing what it made failed ({}): the token may hold "
                            "part of the key; destroy_key it",
                            failed, destroyed.error().to_string()));
  }
  if (outcome_unknown || handle_unknown) {
    if (auto unused = require_unused(*lease, spec); !unused) {
      return fail(ErrorCode::OutcomeUnknown,
                  unused.error().code() == ErrorCode::KeyAlreadyExists
                      ? fmt::format("{}; a key with this label or id is on the token now, "
                                    "possibly made by this call: find_key or destroy_key it",
                                    failed)
                      : fmt::format("{}, and checking what the token holds failed ({})", failed,
                                    unused.error().to_string()));
    }
  }
  return std::unexpected(std::move(error));
}

Result<Key> Pkcs11PassthroughBackend::find_key(const KeyRef& ref) {
  if (!ref.label && !ref.id && !ref.handle) {
    return fail(ErrorCode::InvalidArgument,
                "a key reference needs a label, an id, both, or a handle");
  }
  return pool_->run([&](Lease& lease) -> Result<Key> {
    CRATON_ASSIGN_OR_RETURN(const CK_OBJECT_HANDLE object, find_one_key_object(lease, ref));
    return load_resident(lease, object);
  });
}

Result<std::vector<ResidentKeyInfo>> Pkcs11PassthroughBackend::list_keys() {
  return pool_->run([&](Lease& lease) -> Result<std::vector<ResidentKeyInfo>> {
    // One enumeration of every token object, the same one a handle is checked against
    // (KeyRef::handle), so that a token numbering objects as it meets them numbers them alike.
    CRATON_ASSIGN_OR_RETURN(const auto objects, find_token_objects(lease));
    std::vector<ResidentKeyInfo> keys;
    for (const CK_OBJECT_HANDLE object : objects) {
      CRATON_ASSIGN_OR_RETURN(auto info, describe_key_object(lease, object, token_));
      if (info) keys.push_back(std::move(*info));
    }
    std::stable_sort(keys.begin(), keys.end(),
                     [](const auto& a, const auto& b) { return a.object_class < b.object_class; });
    for (ResidentKeyInfo& info : keys) {
      if (info.label.empty() && info.id.empty()) {
        info.needs_handle = true;  // KeyRef::from_uri refuses a URI that names nothing
        continue;
      }
      // What find_key_objects would match for the URI: the class, and the label and id the
      // URI carries (an absent one matches any). Objects of key types we do not describe count
      // too, as the token's search finds them.
      KeyRef named;
      named.object_class = info.object_class;
      if (!info.label.empty()) named.label = info.label;
      if (!info.id.empty()) named.id = info.id;
      CRATON_ASSIGN_OR_RETURN(const auto namesakes, find_key_objects(lease, named));
      info.needs_handle = namesakes.size() != 1;
    }
    return keys;
  });
}

Result<std::vector<std::uint8_t>> Pkcs11PassthroughBackend::export_public_key(const KeyRef& ref) {
  Result<Key> key = find_key(ref);
  if (!key && key.error().code() == ErrorCode::KeyNotFound && !ref.object_class) {
    // Only the public half may be on the token (an imported public key).
    KeyRef public_ref = ref;
    public_ref.object_class = ObjectClass::PublicKey;
    key = find_key(public_ref);
  }
  if (!key) return std::unexpected(std::move(key).error());
  if (key->kind() == KeyKind::Aes || key->kind() == KeyKind::Hmac) {
    return fail(ErrorCode::KeyTypeInconsistent,
                fmt::format("{} is a secret key and has no public half", ref.to_uri()));
  }
  return key->public_spki_der();
}

Result<void> Pkcs11PassthroughBackend::destroy_key(const KeyRef& ref) {
  if (!ref.label && !ref.id && !ref.handle) {
    return fail(ErrorCode::InvalidArgument,
                "a key reference needs a label, an id, both, or a handle");
  }
  std::vector<CK_OBJECT_HANDLE> doomed;
  bool changing = false;
  Result<void> outcome = run_until_changing(*pool_, changing, [&](Lease& lease) -> Result<void> {
    CRATON_ASSIGN_OR_RETURN(doomed, objects_to_destroy(lease, ref));
    changing = true;
    for (const CK_OBJECT_HANDLE object : doomed) {
      CRATON_RETURN_IF_ERROR(lease.call<Fn::DestroyObject>(object));
    }
    return {};
  });
  // Whatever happened, handles resolved before may now name nothing, or something new.
  resident_epoch_.fetch_add(1, std::memory_order_acq_rel);
  if (outcome || !changing) return outcome;
  return check_destroyed(ref, doomed, std::move(outcome).error());
}

Result<void> Pkcs11PassthroughBackend::check_destroyed(const KeyRef& ref,
                                                       const std::vector<CK_OBJECT_HANDLE>& doomed,
                                                       HsmError error) {
  const std::string failed =
      fmt::format("destroying {} failed ({})", ref.to_uri(), error.to_string());
  Result<Lease> lease = pool_->acquire();
  if (!lease) {
    return fail(ErrorCode::OutcomeUnknown,
                fmt::format("{}, and no session is left to check what remains ({})", failed,
                            lease.error().to_string()));
  }
  std::size_t remaining = 0;
  for (const CK_OBJECT_HANDLE object : doomed) {
    auto exists = read_ulong_attribute(*lease, object, CKA_CLASS);
    if (!exists && exists.error().code() == ErrorCode::KeyHandleInvalid) continue;
    if (!exists) {
      return fail(ErrorCode::OutcomeUnknown,
                  fmt::format("{}, and checking what remains failed ({})", failed,
                              exists.error().to_string()));
    }
    ++remaining;
  }
  if (remaining == doomed.size()) return std::unexpected(std::move(error));  // nothing destroyed
  // Handles the token no longer knows prove nothing by themselves (a reinserted token numbers
  // its objects afresh): the key is gone only when nothing answers to its names any more.
  const auto still_named = [&]() -> Result<std::size_t> {
    auto keys = find_key_objects(*lease, ref);
    // A handle that no longer names the object is the object gone.
    if (!keys && ref.handle && keys.error().code() == ErrorCode::KeyNotFound) return 0;
    if (!keys) return std::unexpected(std::move(keys).error());
    if (ref.object_class || doomed.size() < 2) return keys->size();
    KeyRef public_halves = ref;
    public_halves.object_class = ObjectClass::PublicKey;
    CRATON_ASSIGN_OR_RETURN(const auto halves, find_key_objects(*lease, public_halves));
    return keys->size() + halves.size();
  }();
  if (!still_named) {
    return fail(ErrorCode::OutcomeUnknown, fmt::format("{}, and checking what remains failed ({})",
                                                       failed, still_named.error().to_string()));
  }
  if (remaining == 0 && *still_named == 0) return {};  // all gone, whatever the token answered
  if (remaining == 0) {
    return fail(ErrorCode::OutcomeUnknown,
                fmt::format("{}: the token no longer knows the key's objects by their handles, "
                            "and {} key objects still answer to {}; find_key it to see what is "
                            "left",
                            failed, *still_named, ref.to_uri()));
  }
  return fail(ErrorCode::OutcomeUnknown,
              fmt::format("{} after destroying part of the key: {} of its {} objects remain; "
                          "destroy_key the rest (type=public for a public half)",
                          failed, remaining, doomed.size()));
}

std::string Pkcs11PassthroughBackend::token_uri() const {
  return token_.uri.to_string();
}

Result<Pkcs11Uri> Pkcs11PassthroughBackend::describe_location() const {
  const Module& module = pool_->module();
  CRATON_ASSIGN_OR_RETURN(const SlotDescription slot, describe_slot(module, pool_->slot()));
  CRATON_ASSIGN_OR_RETURN(const LibraryDescription library, describe_library(module));
  Pkcs11Uri location = token_.uri;
  location.slot_id = pool_->slot();
  location.slot_description = slot.description;
  location.slot_manufacturer = slot.manufacturer;
  location.library_manufacturer = library.manufacturer;
  location.library_description = library.description;
  location.library_version =
      fmt::format("{}.{}", library.library_version.major, library.library_version.minor);
  // As configured, not as resolved: a URI names the module the way its author configured it.
  const std::filesystem::path library_path = config::effective_library_path(config_);
  location.module_path = library_path.string();
  location.module_name = uri::module_name_of(library_path);
  return location;
}

}  // namespace craton::hsm::pkcs11
