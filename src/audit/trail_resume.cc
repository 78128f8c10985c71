// SPDX-License-Identifier: Apache-2.0
// Reading the first and last records of an existing trail file to continue its chain.
#include "audit/trail_resume.h"

#include "audit/record_fields.h"
#include "audit/tail_anchor.h"

#include <optional>

#include <fmt/format.h>

namespace craton::hsm::audit {
namespace {

// Records are clipped far below this (kMaxDetailBytes), so a whole line always fits.
constexpr std::size_t kMaxLine = std::size_t{64} * 1024;

Result<std::string> read_head(const UniqueFd& fd, std::uint64_t size) {
  std::string head(static_cast<std::size_t>(std::min<std::uint64_t>(size, kMaxLine)), '\0');
  std::span bytes(reinterpret_cast<std::uint8_t*>(head.data()), head.size());
  auto n = read_fully(fd, bytes);
  if (!n) return fail(ErrorCode::AuditUnavailable, n.error().message());
  head.resize(*n);
  return head;
}

}  // namespace

Result<ChainStart> resume_trail(JsonlFileSink& sink, AuditMac& mac) {
  const auto& path = sink.path();
  const auto unavailable = [&](std::string_view why) {
    return fail(ErrorCode::AuditUnavailable, fmt::format("audit trail {}: {}", path.string(), why));
  };
  CRATON_ASSIGN_OR_RETURN(const auto anchor, read_anchor(path, mac));
  ChainStart start;
  std::uint64_t keep = sink.size();  // bytes up to the end of the last complete record
  std::string tail;
  std::optional<UniqueFd> reader;
  if (keep > 0) {
    CRATON_ASSIGN_OR_RETURN(reader, open_private_file(path, OpenFor::ReadTrail));
    CRATON_ASSIGN_OR_RETURN(tail, read_tail(*reader, sink.size(), kMaxLine));
    if (!tail.ends_with('\n')) {
      const std::size_t end = tail.rfind('\n');
      if (end == std::string::npos && sink.size() > tail.size()) {
        return unavailable(
            "ends with more than 64 KiB without a line end: not a record torn by a crash; move "
            "the file aside to start a new one and verify the old one");
      }
      const std::size_t kept_in_tail = end == std::string::npos ? 0 : end + 1;
      keep = sink.size() - tail.size() + kept_in_tail;
      tail.resize(kept_in_tail);
    }
  }
  const std::uint64_t cut = sink.size() - keep;
  if (keep == 0) {
    if (anchor) {
      start.next_seq = anchor->seq + 1;
      start.prev = anchor->last;
      start.file_first_seq = start.next_seq;
    }
  } else {
    const std::string_view body(tail.data(), tail.size() - 1);
    const std::size_t line_start = body.rfind('\n');
    if (line_start == std::string_view::npos && keep > tail.size()) {
      return unavailable("last record is longer than any record this writer produces");
    }
    const std::string_view last =
        line_start == std::string_view::npos ? body : body.substr(line_start + 1);
    const auto fields = parse_record_fields(last);
    if (!fields || !fields->seq) return unavailable("last record is not a record");
    CRATON_ASSIGN_OR_RETURN(const bool authentic, seal_verifies(last, mac));
    if (!authentic) {
      return unavailable(
          "last record does not verify under the audit key (altered, or another key)");
    }
    if (anchor && (anchor->seq > *fields->seq ||
                   (anchor->seq == *fields->seq && anchor->last != sealed_mac(last)))) {
      return unavailable(fmt::format(
          "truncated: anchor says seq {}, file ends at {}{}", anchor->seq, *fields->seq,
          cut > 0 ? " and an incomplete record (refused; the file is left untouched)" : ""));
    }
    CRATON_ASSIGN_OR_RETURN(const std::string head, read_head(*reader, keep));
    const auto first = parse_record_fields(std::string_view(head).substr(0, head.find('\n')));
    if (!first || !first->seq || first->op != "genesis") {
      return unavailable("does not begin with a genesis record");
    }
    start.next_seq = *fields->seq + 1;
    start.prev = std::string(sealed_mac(last));
    start.new_file = false;
    start.file_first_seq = *first->seq;
  }
  if (cut > 0) {
    CRATON_RETURN_IF_ERROR(sink.cut_to(keep));
    start.cut_bytes = cut;
  }
  return start;
}

}  // namespace craton::hsm::audit
