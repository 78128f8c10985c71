// SPDX-License-Identifier: Apache-2.0
// The tail anchor "<trail>.head": the last sequence number and record MAC the writer made
// durable, MAC'd itself, so that removing whole records from the end of a trail is noticed.
#pragma once

#include <craton/hsm/audit.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace craton::hsm::audit {

struct TailAnchor {
  std::uint64_t seq = 0;
  std::string last;  // hex MAC ("mac" field) of the record with that sequence number
};

[[nodiscard]] std::filesystem::path anchor_path(const std::filesystem::path& trail);

// Reads and checks the anchor of `trail`: nullopt when there is none. Errors:
// AuditUnavailable when it exists but is unsafe (symlink, permissions, owner), malformed, or
// its MAC does not verify under `mac`.
[[nodiscard]] Result<std::optional<TailAnchor>> read_anchor(const std::filesystem::path& trail,
                                                            AuditMac& mac);

// Replaces the anchor atomically (write temp, rename); `durable` adds the fsyncs.
// The line is `{"anchor":1,"seq":N,"last":"<hex>","mac":"<hex>"}`: sealed like a record,
// but starting with `{"anchor"` where records start with `{"ts"`, so that the MAC of an anchor
// can never be presented as the MAC of a record.
[[nodiscard]] Result<void> write_anchor(const std::filesystem::path& trail,
                                        const TailAnchor& anchor, AuditMac& mac, bool durable);

}  // namespace craton::hsm::audit
