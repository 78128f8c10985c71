// SPDX-License-Identifier: Apache-2.0
// verify_audit_trail: walks every record of every file and reports the first broken link.
#include "audit/record_fields.h"
#include "audit/tail_anchor.h"

#include <craton/hsm/audit.h>

#include <fstream>
#include <map>
#include <optional>

#include <fmt/format.h>

namespace craton::hsm {
namespace {

// Chain state carried from one record to the next, across files.
struct Walk {
  AuditVerifyReport report;
  std::optional<std::string> prev;  // MAC of the last record checked
  std::optional<std::uint64_t> first_seq;
  std::optional<std::uint64_t> last_seq;
  std::optional<audit::TailAnchor> anchor;
  std::map<std::uint64_t, AuditOpenIntent> open_intents;  // by seq
};

// Write-ahead bookkeeping: an intent opens, the outcome naming its seq closes it. An outcome
// may name an intent before the first file given (not checked); any other must close one.
std::optional<std::string> track_intent(Walk& walk, const audit::RecordFields& fields,
                                        std::size_t file_index, std::uint64_t line_no) {
  if (fields.outcome == "intent") {
    walk.open_intents.emplace(
        *fields.seq, AuditOpenIntent{file_index, line_no, *fields.seq, std::string(fields.op),
                                     std::string(fields.key.value_or(""))});
  }
  if (!fields.intent || *fields.intent == 0) return std::nullopt;  // 0: lost under fail-open
  if (walk.open_intents.erase(*fields.intent) == 1) return std::nullopt;
  if (*fields.intent < *walk.first_seq) return std::nullopt;
  return fmt::format("outcome names seq {} as its intent, but no open intent has that seq",
                     *fields.intent);
}

// Checks one record; returns the problem, or nullopt when it is sound.
Result<std::optional<std::string>> check_record(Walk& walk, std::string_view line,
                                                std::size_t file_index, std::uint64_t line_no,
                                                AuditMac& mac) {
  using R = std::optional<std::string>;
  const auto fields = audit::parse_record_fields(line);
  if (!fields) return R("unparseable record: " + fields.error());
  if (!fields->seq || !fields->prev || !fields->mac || fields->op.empty()) {
    return R("record lacks \"seq\", \"op\", \"prev\" or \"mac\"");
  }
  CRATON_ASSIGN_OR_RETURN(const bool authentic, audit::seal_verifies(line, mac));
  if (!authentic) return R("record MAC mismatch: this record was altered");
  const bool genesis = fields->op == "genesis";
  if (line_no == 1 && !genesis) return R("file does not begin with a genesis record");
  if (line_no != 1 && genesis) return R("genesis record in the middle of a file");
  if (genesis) {
    if (!fields->prev_file || *fields->prev_file != *fields->prev) {
      return R("genesis record: \"prev_file\" missing or different from \"prev\"");
    }
    if (walk.prev && *fields->prev_file != *walk.prev) {
      return R(
          "rotation link broken: prev_file is not the MAC of the previous file's last "
          "record (a file is missing, reordered or replaced)");
    }
  }
  // A missing or moved record shows as a sequence gap first: the more telling message.
  if (walk.last_seq && *fields->seq != *walk.last_seq + 1) {
    return R(fmt::format("sequence gap: expected {}, found {}", *walk.last_seq + 1, *fields->seq));
  }
  if (!genesis && walk.prev && *fields->prev != *walk.prev) {
    return R("prev MAC mismatch: the record before this one is missing, moved or replaced");
  }
  if (walk.anchor && walk.anchor->seq == *fields->seq && walk.anchor->last != *fields->mac) {
    return R("record differs from the one the tail anchor names (same seq, other MAC)");
  }
  if (!walk.first_seq) walk.first_seq = *fields->seq;
  if (auto problem = track_intent(walk, *fields, file_index, line_no)) return R(std::move(problem));
  walk.prev = std::string(*fields->mac);
  walk.last_seq = *fields->seq;
  return R();
}

}  // namespace

Result<AuditVerifyReport> verify_audit_trail(std::span<const std::filesystem::path> files,
                                             AuditMac& mac) {
  Walk walk;
  const auto broken = [&](std::size_t file, std::uint64_t line, std::string problem) {
    walk.report.intact = false;
    walk.report.file_index = file;
    walk.report.line = line;
    walk.report.problem = std::move(problem);
    return walk.report;
  };
  if (files.empty()) return fail(ErrorCode::InvalidArgument, "verify: no files given");
  // The anchor belongs to the live file, which comes last; rotated files have none.
  auto anchor = audit::read_anchor(files.back(), mac);
  if (!anchor) return broken(files.size() - 1, 0, anchor.error().message());
  walk.anchor = *anchor;

  std::uint64_t line_no = 0;
  for (std::size_t index = 0; index < files.size(); ++index) {
    std::ifstream in(files[index], std::ios::binary);
    if (!in) {
      return fail(ErrorCode::AuditUnavailable,
                  fmt::format("verify: cannot read {}", files[index].string()));
    }
    std::string line;
    line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      // getline stops at end of file without a newline: the last record was cut short.
      if (in.eof()) return broken(index, line_no, "truncated: last line is incomplete");
      CRATON_ASSIGN_OR_RETURN(const auto problem, check_record(walk, line, index, line_no, mac));
      if (problem) return broken(index, line_no, *problem);
      ++walk.report.records;
    }
    if (in.bad()) {
      return fail(ErrorCode::AuditUnavailable,
                  fmt::format("verify: error reading {}", files[index].string()));
    }
    if (line_no == 0) return broken(index, 1, "empty file: no genesis record");
  }
  if (walk.anchor && walk.last_seq && walk.anchor->seq > *walk.last_seq) {
    return broken(files.size() - 1, line_no + 1,
                  fmt::format("truncated: anchor says seq {}, file ends at {}", walk.anchor->seq,
                              *walk.last_seq));
  }
  walk.report.intact = true;
  for (auto& [seq, intent] : walk.open_intents)
    walk.report.open_intents.push_back(std::move(intent));
  return walk.report;
}

}  // namespace craton::hsm
