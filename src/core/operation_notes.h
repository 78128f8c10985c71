// SPDX-License-Identifier: Apache-2.0
// OperationNotes: what happened inside one backend operation that its result does not show
// (the mechanism it ran, a rebuilt session, a retry, a software fallback), handed from the
// backend to the observer around it: the audit decorator. Neutral ground below both: the
// decorator (src/audited) and the backends with their session pool see this header, and
// neither sees the other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace craton::hsm {

struct OperationNotes {
  std::string_view mechanism;      // the last mechanism it started ("CKM_ECDSA"), or empty;
                                   // always a string literal
  bool session_recovered = false;  // a dead session was rebuilt for this operation
  std::uint32_t retries = 0;       // times it was re-run on a rebuilt session
  bool software_fallback = false;  // it ran in software (keygen fallback)
  // Resident key generation: the token took only the minimal template (strict templates), and
  // the usages it granted beyond the request ("derive"), empty when none.
  bool minimal_template = false;
  std::string extra_usages;
  // import_method = "auto" switched this class of keys ("secret", "private") to import by
  // unwrap during the operation, for good; empty when it did not. Always a string literal.
  std::string_view import_switched;
};

// The observer owns the notes (on its stack) and makes them current for exactly the call it
// observes; the code deep inside the backend that knows what happened (a lease starting a
// mechanism, the pool rebuilding a session or re-running the operation, keygen falling back)
// asks current() and notes nothing when it is null. The handle travels through a thread-local
// because CryptoBackend's operations are the public API and take no context, and the places
// that note sit several calls below them on paths shared by every operation: a parameter would
// have to run through all of them. The cost stays where it was with the pool's old always-on
// thread-local notes: an unobserved operation pays one thread-local load per noting point, an
// observed one a store.
// An observed call made while another is observed (a backend calling a backend) gets its own
// notes; the outer ones are current again when it returns. A digest stream's updates run after
// the call that opened it, unobserved.
class ObservedOperation {
 public:
  explicit ObservedOperation(OperationNotes& notes) noexcept : ObservedOperation(&notes) {}
  // Makes `notes` current, null included: an operation run on another thread (the concurrency
  // gate's combining) carries its caller's notes, or none.
  explicit ObservedOperation(OperationNotes* notes) noexcept
      : previous_(std::exchange(slot(), notes)) {}
  ~ObservedOperation() { slot() = previous_; }
  ObservedOperation(const ObservedOperation&) = delete;
  ObservedOperation& operator=(const ObservedOperation&) = delete;
  ObservedOperation(ObservedOperation&&) = delete;
  ObservedOperation& operator=(ObservedOperation&&) = delete;

  // The notes of the observed operation this thread is running, or null when none is.
  [[nodiscard]] static OperationNotes* current() noexcept { return slot(); }

 private:
  // Constant-initialised, so reading it needs no guard.
  static OperationNotes*& slot() noexcept {
    static thread_local OperationNotes* current = nullptr;
    return current;
  }

  OperationNotes* previous_;
};

}  // namespace craton::hsm
