// SPDX-License-Identifier: Apache-2.0
// The field layout of audit records (see docs/audit.md for the format and an example).
#include "audit/record_format.h"

#include "audit/record_fields.h"
#include "core/hex.h"
#include "core/json_escape.h"

#include <array>
#include <ctime>
#include <iterator>

#include <fmt/format.h>

namespace craton::hsm::audit {
namespace {

using Clock = std::chrono::system_clock;

void append_string_field(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":\"";
  append_json_escaped(out, value);
  out += '"';
}

// Plain appends rather than fmt::format_to: this runs several times per record on the
// writer thread, whose CPU competes with the operations being audited.
void append_name(std::string& out, std::string_view name) {
  out += ",\"";
  out += name;
  out += "\":";
}

void append_number_field(std::string& out, std::string_view name, std::uint64_t value) {
  append_name(out, name);
  const fmt::format_int digits(value);
  out.append(digits.data(), digits.size());
}

void append_bool_field(std::string& out, std::string_view name, bool value) {
  append_name(out, name);
  out += value ? "true" : "false";
}

void begin(std::string& line, Clock::time_point time, std::uint64_t seq, std::string_view op) {
  line.clear();
  line += "{\"ts\":\"";
  append_timestamp(line, time);
  line += '"';
  append_number_field(line, "seq", seq);
  append_string_field(line, "op", op);
}

}  // namespace

void append_timestamp(std::string& out, Clock::time_point time) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  // Floor division so that instants before 1970 still print a valid date and fraction.
  auto seconds = micros / 1'000'000;
  auto fraction = micros % 1'000'000;
  if (fraction < 0) {
    fraction += 1'000'000;
    --seconds;
  }
  // Records of one batch mostly share their second: its text is computed once per thread.
  thread_local std::int64_t cached_second = -1;
  thread_local std::array<char, 20> cached_text{};  // "YYYY-MM-DDTHH:MM:SS"
  if (seconds != cached_second) {
    const std::time_t whole = static_cast<std::time_t>(seconds);
    std::tm utc{};
    ::gmtime_r(&whole, &utc);
    fmt::format_to_n(cached_text.data(), cached_text.size(), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                     utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                     utc.tm_sec);
    cached_second = seconds;
  }
  out.append(cached_text.data(), 19);
  out += '.';
  const fmt::format_int digits(fraction);
  out.append(6 - digits.size(), '0');
  out.append(digits.data(), digits.size());
  out += 'Z';
}

RecordFormatter::RecordFormatter(const AuditOrigin& origin) {
  std::string fragment;
  append_string_field(fragment, "backend", origin.backend);
  append_string_field(fragment, "token", origin.token_label);
  append_string_field(fragment, "serial", origin.token_serial);
  append_number_field(fragment, "slot", origin.slot);
  origin_ = std::move(fragment);
}

void RecordFormatter::event(std::string& line, const QueuedEvent& queued, std::uint64_t seq,
                            std::string_view prev, std::uint64_t intent_seq) const {
  const AuditEvent& e = queued.event;
  begin(line, queued.time, seq, audit_operation_name(e.operation));
  if (!e.mechanism.empty()) append_string_field(line, "mech", e.mechanism);
  if (e.key.fingerprint) {
    line += ",\"key\":\"fp:";
    append_hex(line, *e.key.fingerprint);
    line += '"';
  } else if (e.key.resident) {
    append_string_field(line, "key", *e.key.resident);
  }
  append_number_field(line, "in", e.input_bytes);
  append_number_field(line, "out", e.output_bytes);
  append_string_field(line, "outcome", queued.intent_id != 0 ? "intent" : e.error ? "error" : "ok");
  if (e.error) append_string_field(line, "code", error_code_name(*e.error));
  if (!e.ckr.empty()) append_string_field(line, "ckr", e.ckr);
  if (e.intent != 0) append_number_field(line, "intent", intent_seq);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(e.duration).count();
  append_number_field(line, "us", micros > 0 ? static_cast<std::uint64_t>(micros) : 0);
  line += origin_;
  append_bool_field(line, "fallback", e.software_fallback);
  append_bool_field(line, "recovered", e.session_recovered);
  append_number_field(line, "retries", e.retries);
  if (!e.detail.empty()) append_string_field(line, "detail", clip_utf8(e.detail, kMaxDetailBytes));
  append_string_field(line, "prev", prev);
}

void RecordFormatter::genesis(std::string& line, Clock::time_point time, std::uint64_t seq,
                              std::string_view prev_file, std::string_view detail) const {
  begin(line, time, seq, "genesis");
  line += origin_;
  if (!detail.empty()) append_string_field(line, "detail", detail);
  append_string_field(line, "prev_file", prev_file);
  append_string_field(line, "prev", prev_file);
}

void RecordFormatter::restart(std::string& line, Clock::time_point time, std::uint64_t seq,
                              std::string_view prev, std::string_view detail) const {
  begin(line, time, seq, "restart");
  line += origin_;
  if (!detail.empty()) append_string_field(line, "detail", detail);
  append_string_field(line, "prev", prev);
}

Result<void> seal(std::string& line, AuditMac& mac) {
  CRATON_ASSIGN_OR_RETURN(
      const auto tag,
      mac.mac(std::span(reinterpret_cast<const std::uint8_t*>(line.data()), line.size())));
  line += kMacFieldOpen;
  append_hex(line, tag);
  line += "\"}";
  return {};
}

}  // namespace craton::hsm::audit
