// SPDX-License-Identifier: Apache-2.0
// TransportKeys: the token-generated RSA key pair under which one-time AES keys reach the
// token for import by unwrap (docs/import-by-unwrap.md), one per pooled session.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/keys.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {

// The transport key of one session: the token's private key (a session object that may only
// unwrap, sensitive, never extractable) and its public half, read back to the host as a Key
// (the token's public object is destroyed at once: the host encrypts with OpenSSL).
struct Transport {
  CK_OBJECT_HANDLE unwrap_key = CK_INVALID_HANDLE;
  const Key* public_key = nullptr;  // valid while the lease is held
};

// Per pooled session, because session objects die with the session that made them: a key is
// made on the first unwrap import of its session (C_GenerateKeyPair, CKM_RSA_PKCS_KEY_PAIR_GEN,
// RSA-3072, both halves CKA_TOKEN false) and kept while the session and the pool's generation
// are the ones it was made under. Thread-safety: each slot belongs to the lease holding its
// session (the pool hands a session to one lease at a time), so slots need no lock.
class TransportKeys {
 public:
  static constexpr CK_ULONG kModulusBits = 3072;

  explicit TransportKeys(std::size_t sessions) : slots_(sessions) {}

  // The lease's session's transport key, made now when it has none, when its session was
  // rebuilt or the pool's `generation` moved. `private_objects` sets CKA_PRIVATE on the
  // private half. Errors: the mapped C_GenerateKeyPair / C_GetAttributeValue failures.
  [[nodiscard]] Result<Transport> get(Lease& lease, std::uint64_t generation, bool private_objects);
  // Forgets the lease's session's key after the token called its handle invalid: the next
  // get() makes a new one. The old handle is not destroyed (it may name another object now).
  void forget(Lease& lease) noexcept;
  // How many key pairs were generated so far (stats and tests).
  [[nodiscard]] std::uint64_t generated() const noexcept {
    return generated_.load(std::memory_order_relaxed);
  }

 private:
  struct Slot {
    CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
    std::uint64_t generation = 0;
    CK_OBJECT_HANDLE unwrap_key = CK_INVALID_HANDLE;
    std::optional<Key> public_key;
  };
  std::vector<Slot> slots_;
  std::atomic<std::uint64_t> generated_{0};
};

}  // namespace craton::hsm::pkcs11
