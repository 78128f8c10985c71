// SPDX-License-Identifier: Apache-2.0
// Recorder: what the audit decorator does around every operation of the backend it wraps:
// check that the trail can record, run the operation observed, record what it did.
#pragma once

#include <craton/hsm/audit.h>
#include <craton/hsm/backend.h>
#include <craton/hsm/resident_keys.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "audited/audit_relay.h"
#include "audited/key_identity.h"
#include "core/operation_notes.h"

namespace craton::hsm::audited {
namespace detail {

// The byte count an event reports for a result (never its content).
inline std::uint64_t output_size(const Bytes& out) {
  return out.size();
}
inline std::uint64_t output_size(const SecretBytes& out) {
  return out.size();
}
inline std::uint64_t output_size(const std::vector<ResidentKeyInfo>& keys) {
  return keys.size();
}
// The `_into` operations return the bytes they wrote.
inline std::uint64_t output_size(std::size_t written) {
  return written;
}
template <typename T>
std::uint64_t output_size(const T&) {
  return 0;
}

// "template=minimal; extra_usages=derive": what a resident key generation noted.
std::string key_generation_detail(const OperationNotes& notes);
// "import_method=auto: secret keys by unwrap from now on".
std::string import_switch_detail(const OperationNotes& notes);

// What the operation did, as an event (no content, only sizes and outcome). Inlined: it runs
// once per audited operation.
template <typename T>
[[gnu::always_inline]] inline AuditEvent describe(AuditOperation operation, AuditKey key,
                                                  std::uint64_t input_bytes,
                                                  std::chrono::steady_clock::time_point start,
                                                  const OperationNotes& notes,
                                                  const Result<T>& result) {
  AuditEvent event;
  event.duration = std::chrono::steady_clock::now() - start;
  event.operation = operation;
  event.key = std::move(key);
  event.input_bytes = input_bytes;
  event.mechanism = notes.mechanism;
  event.session_recovered = notes.session_recovered;
  event.retries = notes.retries;
  event.software_fallback = notes.software_fallback;
  if (result) {
    if constexpr (!std::is_void_v<T>) {
      event.output_bytes = output_size(*result);
      // Verification outcomes go into `detail`: "invalid" is what an auditor looks for. Short
      // literals fit std::string's inline buffer, so this allocates nothing.
      if constexpr (std::is_same_v<T, VerifyOutcome>) {
        event.detail = *result == VerifyOutcome::Valid ? "valid" : "invalid";
      }
    }
  } else {
    event.error = result.error().code();
    event.ckr = result.error().rv_name();
  }
  // Resident key generation on a token with strict templates, or one that granted more than
  // asked (kept, or refused by strict_usages): both are the auditor's business.
  if (notes.minimal_template || !notes.extra_usages.empty()) {
    event.detail = key_generation_detail(notes);
  }
  // The one operation during which imports changed method is where an auditor looks for why.
  if (!notes.import_switched.empty()) event.detail = import_switch_detail(notes);
  return event;
}

// Runs `body` with `notes` as the notes of the operation this thread runs (see
// ObservedOperation), and only that long.
template <typename Body>
[[gnu::always_inline]] inline auto observed(OperationNotes& notes, Body& body) {
  const ObservedOperation observe(notes);
  return body();
}

}  // namespace detail

// Each call first asks the trail whether it can record (fail-closed: AuditUnavailable, and the
// operation does not run, also while an administrative event waits in the relay), runs the
// operation, then records one AuditEvent: operation, the mechanism, session-recovery, retry and
// fallback notes the backend made while it ran (OperationNotes), key (fingerprint or resident
// URI, never bytes), byte counts, outcome and duration. The result is released only once that
// record is accepted (per_record: on disk); a record the trail refuses fails the call with
// AuditUnavailable and its result is discarded.
// Thread-safety: every member may be called from any thread; start() and stop() once each.
class Recorder {
 public:
  Recorder(std::shared_ptr<AuditLog> log, std::shared_ptr<AuditRelay> relay,
           KeyIdentity key_identity);

  // Records BackendStart naming `backend`, then attaches the relay so the events it held (the
  // first login) follow. A start event the trail refuses stays held and fails the first call.
  void start(std::string_view backend);
  // Records BackendStop and waits until the trail has written everything (what it could not
  // write is reported through report_diagnostic); then lets the trail go, so that its writer,
  // which may MAC through the wrapped backend (a token key), stops before that backend.
  void stop();
  // Waits until every record so far is on disk. Errors: AuditUnavailable (never under
  // fail-open).
  Result<void> flush();

  // What an event says about a key: its KeyIdentity fingerprint, or its resident URI.
  [[nodiscard]] AuditKey key(const Key& key) const;
  [[nodiscard]] static AuditKey key(const KeyRef& ref);

  template <typename T, typename Body>
  Result<T> audited(AuditOperation operation, AuditKey key, std::uint64_t input_bytes,
                    Body&& body) {
    CRATON_RETURN_IF_ERROR(can_record());
    OperationNotes notes;
    const auto start = std::chrono::steady_clock::now();
    Result<T> result = detail::observed(notes, body);
    AuditEvent event =
        detail::describe(operation, std::move(key), input_bytes, start, notes, result);
    // Administrative events of this operation (a key import, a login) come before its record,
    // and one the trail refused fails the operation like its own record would.
    CRATON_RETURN_IF_ERROR(relay_->drain());
    CRATON_RETURN_IF_ERROR(log_->record(std::move(event)));
    return result;
  }

  // For operations that change the token. Records before effects: the intent is on disk
  // before `body` runs, and the outcome record names it. A refused intent means `body` does
  // not run; a refused outcome fails the call with AuditUnavailable although the token did
  // change, and the trail then shows an intent without an outcome.
  template <typename T, typename Body>
  Result<T> write_ahead(AuditOperation operation, AuditKey key, Body&& body) {
    CRATON_RETURN_IF_ERROR(can_record());
    AuditEvent intent;
    intent.operation = operation;
    intent.key = key;
    CRATON_ASSIGN_OR_RETURN(const std::uint64_t intent_id, log_->record_intent(std::move(intent)));
    OperationNotes notes;
    const auto start = std::chrono::steady_clock::now();
    Result<T> result = detail::observed(notes, body);
    AuditEvent event = detail::describe(operation, std::move(key), 0, start, notes, result);
    event.intent = intent_id;
    Result<void> recorded = relay_->drain();
    if (recorded) recorded = log_->record(std::move(event));
    if (recorded) return result;
    if (!result) return result;  // nothing changed on the token: its own error says more
    return unrecorded_outcome(operation, recorded.error());
  }

  [[nodiscard]] AuditLog& log() noexcept { return *log_; }

 private:
  // Fail-closed: AuditUnavailable when the trail failed or an administrative event is held.
  // Inlined: it runs before every audited operation.
  [[gnu::always_inline, nodiscard]] Result<void> can_record() const {
    CRATON_RETURN_IF_ERROR(log_->ready());
    return relay_->drain();
  }
  // AuditUnavailable: `operation` ran, but its outcome could not be recorded.
  static std::unexpected<HsmError> unrecorded_outcome(AuditOperation operation,
                                                      const HsmError& why);

  std::shared_ptr<AuditLog> log_;
  std::shared_ptr<AuditRelay> relay_;
  KeyIdentity key_identity_;
};

}  // namespace craton::hsm::audited
