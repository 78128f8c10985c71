// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the start-up path of the audit trail (src/audit/trail_resume) on a torn or
// hostile live file and tail anchor (support/audit_input.h; only the last file is used). It
// either refuses with AuditUnavailable and leaves the file as it was, or continues after the
// last complete record, cutting off at most a torn tail of one line and nothing else; and when
// what it kept verifies, the record it would write next keeps the chain intact.
#include <craton/hsm/audit.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <span>
#include <string>

#include "audit/jsonl_file_sink.h"
#include "audit/record_fields.h"
#include "audit/record_format.h"
#include "audit/trail_resume.h"
#include "support/audit_input.h"
#include "support/check.h"
#include "support/scratch_dir.h"

namespace fuzz = craton::hsm::fuzz;
using craton::hsm::ErrorCode;

namespace {

std::string read_back(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void resume_under(craton::hsm::AuditMac& mac, std::string_view trail,
                  const std::optional<std::string_view>& anchor) {
  const auto path = fuzz::write_private_file("live.jsonl", trail);
  if (anchor) {
    fuzz::write_private_file("live.jsonl.head", *anchor);
  } else {
    fuzz::remove_file("live.jsonl.head");
  }
  auto sink = craton::hsm::audit::JsonlFileSink::open(path, std::chrono::milliseconds(0));
  FUZZ_CHECK(sink.has_value(), "the harness's private file opens as a trail");
  const auto start = craton::hsm::audit::resume_trail(**sink, mac);
  const std::string after = read_back(path);
  if (!start) {
    FUZZ_CHECK(start.error().code() == ErrorCode::AuditUnavailable,
               "resume_trail fails only with AuditUnavailable");
    FUZZ_CHECK(after == trail, "a refused trail is left untouched");
    return;
  }
  const std::size_t kept = trail.size() - static_cast<std::size_t>(start->cut_bytes);
  FUZZ_CHECK(start->cut_bytes <= trail.size(), "no more is cut than there was");
  FUZZ_CHECK(after == trail.substr(0, kept), "only a tail is cut off");
  FUZZ_CHECK((*sink)->size() == kept, "the sink knows the size it continues at");
  FUZZ_CHECK(kept == 0 || trail[kept - 1] == '\n', "what is kept ends with a whole record");
  FUZZ_CHECK(trail.substr(kept).find('\n') == std::string_view::npos,
             "the cut-off tail is one incomplete line");
  FUZZ_CHECK(start->new_file == (kept == 0), "an empty file starts anew, else it continues");
  FUZZ_CHECK(start->prev.empty() || start->prev.size() == craton::hsm::audit::kMacHexLength,
             "the chain continues from a MAC");

  // What the writer appends next (audit_writer.cc): a genesis for a new file, else a restart.
  const std::filesystem::path files[] = {path};
  const auto verified_before = craton::hsm::verify_audit_trail(files, mac);
  FUZZ_CHECK(verified_before.has_value(), "the kept trail can be verified");
  const craton::hsm::audit::RecordFormatter formatter(craton::hsm::AuditOrigin{});
  std::string line;
  const auto now = std::chrono::system_clock::now();
  if (start->new_file) {
    formatter.genesis(line, now, start->next_seq, start->prev);
  } else {
    formatter.restart(line, now, start->next_seq, start->prev);
  }
  FUZZ_CHECK(craton::hsm::audit::seal(line, mac).has_value(), "the next record seals");
  FUZZ_CHECK((*sink)->append(std::span(&line, 1)).has_value(), "the next record is appended");
  const auto verified_after = craton::hsm::verify_audit_trail(files, mac);
  FUZZ_CHECK(verified_after.has_value(), "the continued trail can be verified");
  FUZZ_CHECK(!verified_before->intact || verified_after->intact,
             "a trail that verified still verifies with the record written after resuming");
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto real_mac = fuzz::fixed_key_mac();
  static fuzz::ConstantMac constant_mac;
  const auto input = fuzz::split_trail_input(fuzz::as_text(std::span(data, size)));
  resume_under(*real_mac, input.files.back(), input.anchor);
  resume_under(constant_mac, input.files.back(), input.anchor);
  return 0;
}
