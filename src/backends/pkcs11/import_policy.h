// SPDX-License-Identifier: Apache-2.0
// ImportPolicy: which way (C_CreateObject or C_UnwrapKey) each class of key reaches the token,
// from import_method and the vendor profile, and what import_method = "auto" has learnt.
#pragma once

#include <craton/hsm/capabilities.h>
#include <craton/hsm/config.h>
#include <craton/hsm/error.h>
#include <craton/hsm/keys.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace craton::hsm::pkcs11 {

// The key classes a token may refuse to take in the clear. Public keys always go by create.
enum class ImportClass : std::uint8_t { Secret, Private };

// Secret for AES and HMAC keys, Private for RSA, EC and Ed25519 private keys, none for public.
[[nodiscard]] std::optional<ImportClass> import_class(KeyKind kind) noexcept;
// "secret", "private".
[[nodiscard]] std::string_view import_class_name(ImportClass value) noexcept;

// Thread-safe: one atomic per class. "Latch what must not repeat": once auto mode saw the
// token refuse a class's clear import, that class goes by unwrap for the policy's (the
// backend's) life, and create is never tried for it again.
class ImportPolicy {
 public:
  // `refuses_private_key_create`: the vendor profile's quirk, which sends private keys by
  // unwrap whatever the method.
  ImportPolicy(ImportMethod method, bool refuses_private_key_create) noexcept;

  [[nodiscard]] ImportMethod method() const noexcept { return method_; }
  // Whether keys of `value` go by C_UnwrapKey now.
  [[nodiscard]] bool by_unwrap(ImportClass value) const noexcept {
    return unwrap_[index(value)].load(std::memory_order_acquire);
  }
  // What a refused create leads to: the error stands, or the class goes by unwrap now (this
  // call switched it, or another thread's did first: either way, retry by unwrap).
  enum class Refusal : std::uint8_t { Stands, SwitchedNow, SwitchedEarlier };
  // Whether C_CreateObject of a `value` key failing with `error` may be the token refusing
  // clear key values: auto mode, and an answer is_clear_import_refusal (rv_map.h) accepts.
  [[nodiscard]] bool may_switch(const HsmError& error) const noexcept;
  // The class goes by unwrap from now on (called once an unwrap has worked where create was
  // refused: a refusal about something else, a key type the token lacks, switches nothing).
  Refusal switch_to_unwrap(ImportClass value) noexcept;
  // may_switch, then switch_to_unwrap: the rule without the unwrap that proves it.
  Refusal switch_after_refusal(ImportClass value, const HsmError& error) noexcept {
    return may_switch(error) ? switch_to_unwrap(value) : Refusal::Stands;
  }
  // How many classes auto mode switched (0..2): each switch is counted once, however many
  // threads saw the refusal.
  [[nodiscard]] std::uint64_t switches() const noexcept {
    return switches_.load(std::memory_order_relaxed);
  }
  // "create", "unwrap", "unwrap (vendor profile)" or "unwrap (auto: the token refused
  // C_CreateObject)": for capabilities() and `info`.
  [[nodiscard]] std::string describe(ImportClass value) const;

 private:
  static constexpr std::size_t index(ImportClass value) noexcept {
    return static_cast<std::size_t>(value);
  }
  ImportMethod method_;
  std::array<std::atomic<bool>, 2> unwrap_{};
  std::array<std::atomic<bool>, 2> switched_{};
  std::atomic<std::uint64_t> switches_{0};
};

// Fills TokenCapabilities' import_method, secret_key_import and private_key_import.
void describe_import(const ImportPolicy& policy, TokenCapabilities& out);

}  // namespace craton::hsm::pkcs11
