// SPDX-License-Identifier: Apache-2.0
// HMAC-SHA-256 under a key held in memory: the AuditMac behind make_key_file_audit_mac.
#pragma once

#include <craton/hsm/audit.h>
#include <craton/hsm/secret.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace craton::hsm::audit {

// The MAC as a string: 64 lower-case hex digits, the form records carry.
[[nodiscard]] Result<std::string> mac_hex(AuditMac& mac, std::span<const std::uint8_t> data);
[[nodiscard]] Result<std::string> mac_hex(AuditMac& mac, std::string_view data);

// Holds only the keyed inner and outer SHA-256 states (wiped on destruction), computed once
// at construction; mac() works on a private copy of them, so concurrent calls (the writer, a
// verifier) share nothing mutable and take no lock.
class HmacSha256 final : public AuditMac {
 public:
  // Errors: Internal when OpenSSL cannot provide HMAC-SHA-256.
  static Result<std::unique_ptr<HmacSha256>> create(SecretBytes key);
  ~HmacSha256() override;
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  Result<std::array<std::uint8_t, 32>> mac(std::span<const std::uint8_t> data) override;

 private:
  struct State;
  explicit HmacSha256(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace craton::hsm::audit
