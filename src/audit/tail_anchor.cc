// SPDX-License-Identifier: Apache-2.0
// Reading and atomically replacing the tail anchor sidecar of an audit trail.
#include "audit/tail_anchor.h"

#include "audit/posix_io.h"
#include "audit/record_fields.h"
#include "audit/record_format.h"

#include <array>

#include <fmt/format.h>

namespace craton::hsm::audit {

std::filesystem::path anchor_path(const std::filesystem::path& trail) {
  auto path = trail;
  path += ".head";
  return path;
}

Result<std::optional<TailAnchor>> read_anchor(const std::filesystem::path& trail, AuditMac& mac) {
  const auto path = anchor_path(trail);
  bool missing = false;
  auto fd = open_private_file(path, OpenFor::ReadAnchor, &missing);
  if (!fd && missing) return std::nullopt;
  if (!fd) return std::unexpected(std::move(fd).error());
  std::array<std::uint8_t, 512> buffer{};
  auto n = read_fully(*fd, buffer);
  if (!n) {
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("audit anchor {}: {}", path.string(), n.error().message()));
  }
  std::string_view text(reinterpret_cast<const char*>(buffer.data()), *n);
  const auto broken = [&](std::string_view why) {
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("audit anchor {}: {}", path.string(), why));
  };
  if (!text.starts_with("{\"anchor\":") || !text.ends_with('\n')) return broken("malformed");
  text.remove_suffix(1);
  const auto fields = parse_record_fields(text);
  if (!fields || !fields->seq || !fields->last || fields->last->size() != kMacHexLength) {
    return broken("malformed");
  }
  CRATON_ASSIGN_OR_RETURN(const bool authentic, seal_verifies(text, mac));
  if (!authentic) return broken("MAC does not verify (altered, or written under another key)");
  return TailAnchor{*fields->seq, std::string(*fields->last)};
}

Result<void> write_anchor(const std::filesystem::path& trail, const TailAnchor& anchor,
                          AuditMac& mac, bool durable) {
  std::string line =
      fmt::format("{{\"anchor\":1,\"seq\":{},\"last\":\"{}\"", anchor.seq, anchor.last);
  CRATON_RETURN_IF_ERROR(seal(line, mac));
  line += '\n';
  return replace_file_atomically(anchor_path(trail), line, durable);
}

}  // namespace craton::hsm::audit
