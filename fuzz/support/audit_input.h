// SPDX-License-Identifier: Apache-2.0
// The audit harnesses' shared pieces: how one fuzz input describes a trail on disk, and the
// two chain keys the harnesses verify under.
#pragma once

#include <craton/hsm/audit.h>

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace craton::hsm::fuzz {

// A line "#file" starts the next file of the trail (rotated files first, the live file last);
// a line "#anchor" makes the rest of the input the live file's tail anchor ("<trail>.head").
// Text before any marker is the first file. Seeds are readable trails this way.
struct TrailInput {
  std::vector<std::string_view> files;  // at least one
  std::optional<std::string_view> anchor;
};
[[nodiscard]] TrailInput split_trail_input(std::string_view data);

// HMAC-SHA-256 (the trail's real MAC) under the fixed key 00 01 .. 1f, the key
// fuzz/make_seeds.py seals the seed trails with.
[[nodiscard]] std::unique_ptr<AuditMac> fixed_key_mac();

// A MAC that is 32 zero bytes whatever the data: every record whose "mac" is 64 zeros is
// "authentic", so mutated records get past the seal check and the fuzzer reaches the chain
// logic behind it (sequence, rotation links, intents, anchor), which no mutation of a line
// sealed under a real key would.
class ConstantMac final : public AuditMac {
 public:
  Result<std::array<std::uint8_t, 32>> mac(std::span<const std::uint8_t> data) override;
};

}  // namespace craton::hsm::fuzz
