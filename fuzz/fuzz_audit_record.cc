// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the audit trail's JSON reader (src/audit/record_fields, what `craton-hsm audit
// verify` and trail resumption read every line with) on hostile lines, and the writer-reader
// round trip: a record the formatter writes from hostile strings (resident key name, detail,
// token label) must scan back with its sequence number, operation, key, prev and seal intact.
#include <craton/hsm/audit.h>

#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "audit/record_fields.h"
#include "audit/record_format.h"
#include "core/json_escape.h"
#include "support/audit_input.h"
#include "support/check.h"

namespace audit = craton::hsm::audit;
using craton::hsm::AuditOperation;

namespace {

constexpr auto kLastOperation = AuditOperation::ExportCertificate;

void scan_hostile_line(std::string_view line, craton::hsm::AuditMac& mac) {
  const auto fields = audit::parse_record_fields(line);
  FUZZ_CHECK(fields.has_value() || !fields.error().empty(), "a refusal says why");
  const auto prefix = audit::mac_covered_prefix(line);
  const auto sealed = audit::sealed_mac(line);
  FUZZ_CHECK(prefix.has_value() == !sealed.empty(), "a line is sealed or not, both ways");
  const auto verifies = audit::seal_verifies(line, mac);
  FUZZ_CHECK(verifies.has_value() && (*verifies == (sealed == std::string(64, '0'))),
             "under the constant MAC, exactly the zero seal verifies");
}

void round_trip(FuzzedDataProvider& in, craton::hsm::AuditMac& mac) {
  const craton::hsm::AuditOrigin origin{
      in.ConsumeRandomLengthString(64), in.ConsumeRandomLengthString(64),
      in.ConsumeRandomLengthString(64), in.ConsumeIntegral<std::uint64_t>()};
  const audit::RecordFormatter formatter(origin);
  const auto seq = in.ConsumeIntegral<std::uint64_t>();
  const std::string prev = in.ConsumeBool() ? std::string(64, 'a') : std::string();
  const std::string key = in.ConsumeRandomLengthString(256);
  audit::QueuedEvent queued{};
  queued.event.operation = static_cast<AuditOperation>(
      in.ConsumeIntegralInRange<int>(0, static_cast<int>(kLastOperation)));
  queued.event.key.resident = std::make_shared<const std::string>(key);
  queued.event.input_bytes = in.ConsumeIntegral<std::uint64_t>();
  queued.event.intent = in.ConsumeIntegral<std::uint8_t>();
  queued.intent_id = in.ConsumeBool() ? 1 : 0;
  queued.event.duration = std::chrono::nanoseconds(in.ConsumeIntegral<std::int64_t>());
  // system_clock counts nanoseconds in 64 bits: about 292 years either side of 1970.
  constexpr std::int64_t kMicrosIn290Years = 9'000'000'000'000'000;
  queued.time = std::chrono::system_clock::time_point(std::chrono::microseconds(
      in.ConsumeIntegralInRange<std::int64_t>(-kMicrosIn290Years, kMicrosIn290Years)));
  queued.event.detail = in.ConsumeRandomLengthString(2048);
  const auto intent_seq = in.ConsumeIntegral<std::uint64_t>();

  std::string line;
  formatter.event(line, queued, seq, prev, intent_seq);
  FUZZ_CHECK(audit::seal(line, mac).has_value(), "a record seals");
  FUZZ_CHECK(line.find('\n') == std::string::npos, "a record is one line");
  const auto fields = audit::parse_record_fields(line);
  FUZZ_CHECK(fields.has_value(), "what the formatter writes, the reader reads");
  FUZZ_CHECK(fields->seq == seq, "seq survives");
  FUZZ_CHECK(fields->op == craton::hsm::audit_operation_name(queued.event.operation), "op");
  FUZZ_CHECK(fields->prev == prev, "prev survives");
  std::string escaped_key;
  craton::hsm::append_json_escaped(escaped_key, key);
  FUZZ_CHECK(fields->key == escaped_key, "the key is there, escaped as written");
  FUZZ_CHECK(fields->outcome == (queued.intent_id != 0 ? "intent" : "ok"), "outcome survives");
  FUZZ_CHECK(fields->intent == (queued.event.intent != 0 ? std::optional(intent_seq)
                                                         : std::optional<std::uint64_t>()),
             "intent survives");
  FUZZ_CHECK(fields->mac && *fields->mac == audit::sealed_mac(line), "the seal is the mac field");
  const auto verifies = audit::seal_verifies(line, mac);
  FUZZ_CHECK(verifies && *verifies, "a sealed record verifies");

  formatter.genesis(line, queued.time, seq, prev, queued.event.detail);
  FUZZ_CHECK(audit::seal(line, mac).has_value(), "a genesis record seals");
  const auto genesis = audit::parse_record_fields(line);
  FUZZ_CHECK(
      genesis && genesis->op == "genesis" && genesis->prev_file == prev && genesis->prev == prev,
      "a genesis record reads back");
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto real_mac = craton::hsm::fuzz::fixed_key_mac();
  static craton::hsm::fuzz::ConstantMac constant_mac;
  scan_hostile_line(std::string_view(reinterpret_cast<const char*>(data), size), constant_mac);
  FuzzedDataProvider in(data, size);
  round_trip(in, *real_mac);
  return 0;
}
