// SPDX-License-Identifier: Apache-2.0
// The reliability workload: threads signing, sealing, MACing and drawing random bytes on a
// token backend while the fault shim misbehaves, and the ledger that proves afterwards that
// nothing came back wrong (signatures verify, decryptions return the plaintext, no GCM IV
// twice, every failure a documented typed error).
#pragma once

#include <craton/hsm/pkcs11_backend.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

namespace craton::hsm::testing {

// Material keys (generated in software, imported into the token on first use) and resident
// keys (generated on the token), with the public halves the signatures are checked against.
struct WorkloadKeys {
  Key ec;
  Key aes;
  Key hmac;
  Key resident_ec;
  Key resident_aes;
  Key ec_public;
  Key resident_ec_public;
  std::vector<std::string> resident_labels;  // to destroy at the end
};

// Makes the keys; resident ones get labels starting with `prefix`. Failures fail the test
// (the keys are then absent: check HasFailure()).
std::unique_ptr<WorkloadKeys> make_workload_keys(Pkcs11Backend& backend, const std::string& prefix);
// Destroys the resident keys; false when one could not be destroyed.
bool destroy_resident_keys(Pkcs11Backend& backend, const WorkloadKeys& keys);

enum class OpKind : std::uint8_t {
  SignMaterial,
  SignResident,
  GcmMaterial,
  GcmResident,
  Hmac,
  Random
};
inline constexpr int kOpKinds = 6;

// Every outcome of the workload, thread-safe. Operations that returned an error are counted by
// code; an error whose code is not in `allowed` is a wrong answer (the first few are kept with
// their messages, which hold no secret).
class Ledger {
 public:
  explicit Ledger(std::set<ErrorCode> allowed) : allowed_(std::move(allowed)) {}

  // One operation of `kind` on `backend`, its result checked on the spot where it can be
  // (a decryption against its plaintext, an HMAC against the software backend's) and kept
  // for the checks after recovery.
  void run_one(Pkcs11Backend& backend, const WorkloadKeys& keys, OpKind kind, std::uint64_t seed);

  // After recovery, faults cleared: every signature verifies (software backend, public halves),
  // every sealed message decrypts on `backend` to its plaintext, no IV was used twice.
  void check_everything(Pkcs11Backend& backend, const WorkloadKeys& keys);

  struct Figures {
    std::uint64_t operations = 0;
    std::uint64_t succeeded = 0;
    std::uint64_t wrong_results = 0;      // bad signature, wrong plaintext or MAC, bad length
    std::uint64_t unexpected_errors = 0;  // an error code not allowed for the fault
    std::uint64_t iv_repeats = 0;
    std::uint64_t ivs = 0;
    std::uint64_t signatures_checked = 0;
    std::uint64_t decryptions_checked = 0;  // each sealed message opened at once
    std::uint64_t reopened = 0;             // kept ones opened again after recovery
    std::uint64_t gcm_sealed = 0;           // successful encryptions with the two AES keys
    std::map<std::string, std::uint64_t> failed_by_code;
    std::vector<std::string> problems;  // the first few, for the failure message
  };
  [[nodiscard]] Figures figures() const;

 private:
  struct Signed {
    bool resident = false;
    std::vector<std::uint8_t> message;
    std::vector<std::uint8_t> signature;
  };
  struct Sealed {
    bool resident = false;
    std::vector<std::uint8_t> plaintext;
    std::vector<std::uint8_t> sealed;
  };
  void failed(const HsmError& error, std::string_view what);
  void wrong(std::string problem);

  const std::set<ErrorCode> allowed_;
  mutable std::mutex mutex_;
  Figures figures_;
  std::set<std::array<std::uint8_t, kGcmIvSize>> ivs_;
  std::vector<Signed> signed_;
  std::vector<Sealed> sealed_;
};

// The documented answers of a token in trouble (docs/reliability.md: session dead, login lost,
// stale handle, module or device lost, capacity).
[[nodiscard]] std::set<ErrorCode> outage_errors();

// GCM messages counted against the workload's two AES keys, from backend.stats().
[[nodiscard]] std::uint64_t gcm_messages_counted(const Pkcs11Backend& backend);

}  // namespace craton::hsm::testing
