// SPDX-License-Identifier: Apache-2.0
// HandleTable: the shim's own session and object handles, mapped to the real module's, so that
// a restart makes every handle issued before it stale even when the real module reuses numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::fault_shim {

// A handle is (epoch << 32) | serial: the epoch counts restarts, so a handle of an older
// epoch is refused (and never 0, CK_INVALID_HANDLE). Object handles found again after a
// restart get new-epoch handles. Thread-safe: lookups share a lock, changes take it alone.
//
// It also keeps the live counts tests assert on: sessions opened through the shim and not
// yet closed (a restart closes them all), and objects created through the shim that are
// still on the token: session objects by real handle until they die with their session or a
// restart, token objects by fingerprint (fingerprint.h), as their real handles change.
class HandleTable {
 public:
  CK_SESSION_HANDLE add_session(CK_SESSION_HANDLE real, CK_SLOT_ID slot);
  [[nodiscard]] std::optional<CK_SESSION_HANDLE> real_session(CK_SESSION_HANDLE handle) const;
  // Forgets the session and the session objects created in it (they die with it, §4.4.1).
  void remove_session(CK_SESSION_HANDLE handle);
  void remove_slot_sessions(CK_SLOT_ID slot);

  [[nodiscard]] std::optional<CK_OBJECT_HANDLE> real_object(CK_OBJECT_HANDLE handle) const;
  // The handle of an object the real module named (C_FindObjects): the same real object keeps
  // the same handle within an epoch, so callers comparing handles see one object.
  CK_OBJECT_HANDLE object_for(CK_OBJECT_HANDLE real);
  // An object created through the shim in session `owner`: a session object without a
  // fingerprint, a token object with one.
  CK_OBJECT_HANDLE add_created(CK_OBJECT_HANDLE real, CK_SESSION_HANDLE owner,
                               const std::optional<std::string>& fingerprint);
  // Forgets a destroyed object; `fingerprint` is the token object's, read before the destroy.
  void remove_object(CK_OBJECT_HANDLE handle, const std::optional<std::string>& fingerprint);
  // Whether a destroyed token object might be one created here (its fingerprint is needed).
  [[nodiscard]] bool counts_token_objects() const;

  // A restart: a new epoch; every session and its session objects are gone. Returns the slots
  // that had sessions, for the caller to close underneath.
  std::vector<CK_SLOT_ID> restart();
  // One live real session per slot that has any (for a call that acts on the whole token).
  [[nodiscard]] std::vector<CK_SESSION_HANDLE> one_real_session_per_slot() const;
  // C_Finalize: every session is gone, handles issued so far are stale.
  void finalize();

  [[nodiscard]] std::size_t live_sessions() const;
  [[nodiscard]] std::size_t live_objects() const;

 private:
  struct Session {
    CK_SESSION_HANDLE real;
    CK_SLOT_ID slot;
  };
  CK_ULONG next_handle_locked();
  void end_epoch_locked();

  mutable std::shared_mutex mutex_;
  std::uint64_t epoch_ = 1;
  std::uint64_t serial_ = 0;
  std::unordered_map<CK_SESSION_HANDLE, Session> sessions_;
  std::unordered_map<CK_OBJECT_HANDLE, CK_OBJECT_HANDLE> objects_;  // ours -> real
  std::unordered_map<CK_OBJECT_HANDLE, CK_OBJECT_HANDLE> by_real_;  // real -> ours
  // Session objects created through the shim and alive: real handle -> owning session (ours).
  std::unordered_map<CK_OBJECT_HANDLE, CK_SESSION_HANDLE> session_objects_;
  // Token objects created through the shim and not destroyed, by fingerprint -> how many.
  std::unordered_map<std::string, std::size_t> token_objects_;
};

HandleTable& handles();

}  // namespace craton::hsm::fault_shim
