// SPDX-License-Identifier: Apache-2.0
// Fuzz target: verify_audit_trail on hostile trail files (support/audit_input.h says how one
// input becomes rotated files, the live file and its tail anchor), under the real HMAC and
// under a constant MAC that lets mutated records past the seal. Files that exist and can be
// read give a report, never an error; an intact report counted every line of every file.
#include <craton/hsm/audit.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "support/audit_input.h"
#include "support/check.h"
#include "support/scratch_dir.h"

namespace fuzz = craton::hsm::fuzz;

namespace {

void verify_under(craton::hsm::AuditMac& mac, const fuzz::TrailInput& input) {
  std::vector<std::filesystem::path> files;
  std::uint64_t lines = 0;
  for (std::size_t i = 0; i < input.files.size(); ++i) {
    const bool live = i + 1 == input.files.size();
    const std::string name = live ? "trail.jsonl" : "trail.jsonl." + std::to_string(i + 1);
    files.push_back(fuzz::write_private_file(name, input.files[i]));
    lines += static_cast<std::uint64_t>(std::ranges::count(input.files[i], '\n'));
  }
  if (input.anchor) {
    fuzz::write_private_file("trail.jsonl.head", *input.anchor);
  } else {
    fuzz::remove_file("trail.jsonl.head");
  }

  const auto report = craton::hsm::verify_audit_trail(files, mac);
  FUZZ_CHECK(report.has_value(), "a readable trail gives a report, not an error");
  if (report->intact) {
    FUZZ_CHECK(report->problem.empty(), "an intact trail has no problem");
    FUZZ_CHECK(report->records == lines, "an intact trail's every line is a record");
    FUZZ_CHECK(std::ranges::is_sorted(report->open_intents, {}, &craton::hsm::AuditOpenIntent::seq),
               "open intents come in sequence order");
  } else {
    FUZZ_CHECK(!report->problem.empty(), "a broken trail says what is wrong");
    FUZZ_CHECK(report->file_index < files.size(), "the problem is in one of the files");
    FUZZ_CHECK(report->records <= lines, "no more records than lines");
  }
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto real_mac = fuzz::fixed_key_mac();
  static fuzz::ConstantMac constant_mac;
  const auto input = fuzz::split_trail_input(fuzz::as_text(std::span(data, size)));
  verify_under(*real_mac, input);
  verify_under(constant_mac, input);
  return 0;
}
