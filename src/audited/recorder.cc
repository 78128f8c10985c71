// SPDX-License-Identifier: Apache-2.0
// Recorder: the start, stop and flush of an audited backend, and how its records name keys.
#include "audited/recorder.h"

#include <craton/hsm/diagnostics.h>

#include <fmt/format.h>

#include "keys/key_material.h"

namespace craton::hsm::audited {

namespace detail {

std::string key_generation_detail(const OperationNotes& notes) {
  std::string text = notes.minimal_template ? "template=minimal" : "template=explicit";
  if (!notes.extra_usages.empty()) text += fmt::format("; extra_usages={}", notes.extra_usages);
  return text;
}

std::string import_switch_detail(const OperationNotes& notes) {
  return fmt::format("import_method=auto: {} keys by unwrap from now on", notes.import_switched);
}

}  // namespace detail

Recorder::Recorder(std::shared_ptr<AuditLog> log, std::shared_ptr<AuditRelay> relay,
                   KeyIdentity key_identity)
    : log_(std::move(log)), relay_(std::move(relay)), key_identity_(std::move(key_identity)) {}

void Recorder::start(std::string_view backend) {
  AuditEvent start;
  start.operation = AuditOperation::BackendStart;
  start.detail = std::string(backend);
  relay_->attach(log_, std::move(start));
}

void Recorder::stop() {
  AuditEvent stop;
  stop.operation = AuditOperation::BackendStop;
  relay_->record(std::move(stop));
  if (const Result<void> flushed = flush(); !flushed) report_diagnostic(flushed.error());
  relay_->detach();
  log_.reset();
}

Result<void> Recorder::flush() {
  Result<void> flushed = relay_->drain();
  if (flushed) flushed = log_->flush();
  if (!flushed && log_->failure_policy() == AuditFailurePolicy::FailOpen) return {};
  return flushed;
}

AuditKey Recorder::key(const Key& key) const {
  if (key.material().resident) return AuditKey{std::nullopt, key.material().resident->uri};
  return AuditKey{key_identity_(key).bytes, nullptr};
}

AuditKey Recorder::key(const KeyRef& ref) {
  return AuditKey{std::nullopt, std::make_shared<const std::string>(ref.to_uri())};
}

std::unexpected<HsmError> Recorder::unrecorded_outcome(AuditOperation operation,
                                                       const HsmError& why) {
  return fail(ErrorCode::AuditUnavailable,
              fmt::format("{} ran on the token, but its outcome could not be recorded (the "
                          "trail shows its intent without an outcome): {}",
                          audit_operation_name(operation), why.message()));
}

}  // namespace craton::hsm::audited
