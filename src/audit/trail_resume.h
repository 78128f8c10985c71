// SPDX-License-Identifier: Apache-2.0
// Where a process picks up the chain when it opens a trail file: a fresh genesis, or the
// record after the last one already in the file.
#pragma once

#include "audit/jsonl_file_sink.h"

#include <craton/hsm/audit.h>

#include <cstdint>
#include <string>

namespace craton::hsm::audit {

struct ChainStart {
  std::uint64_t next_seq = 1;        // the first record this process writes
  std::string prev;                  // MAC of the last record before it; empty for a new trail
  bool new_file = true;              // write a genesis record (else a "restart" record)
  std::uint64_t file_first_seq = 1;  // seq of the current file's genesis (names rotations)
  std::uint64_t cut_bytes = 0;       // the torn tail cut off (stated in the first record)
};

// Reads the end of the file `sink` has open. An empty file starts a new file: its genesis
// continues from the tail anchor when one exists (the previous file was rotated away, or the
// file was removed; either way the link to what came before is kept). A non-empty file is
// continued after its last complete (newline-terminated) record, which must be sealed under
// `mac` and not older than the anchor. An incomplete line after it is a write torn by a crash
// (no record is acknowledged before its newline is written, and the anchor never names it):
// it is cut off, at most one line (64 KiB) of it, and only when the anchor does not say that a
// later record was written. Errors: AuditUnavailable naming the defect; the file is then left
// untouched.
[[nodiscard]] Result<ChainStart> resume_trail(JsonlFileSink& sink, AuditMac& mac);

}  // namespace craton::hsm::audit
