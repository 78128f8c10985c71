// SPDX-License-Identifier: Apache-2.0
// GcmBudgets: the process-wide count of AES-GCM encryptions per key (NIST SP 800-38D §8.3:
// with random 96-bit IVs a key may seal at most 2^32 messages). One count per key for the
// whole process, whichever backend or form (material or resident) the key is used through.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "keys/fingerprint_memo.h"

namespace craton::hsm::pkcs11 {

// Counts live as long as the process: a key whose budget is spent stays spent ("sticky
// high-water marks"), even after every backend using it is gone. They do not survive a restart
// and do not span processes. Thread-safety: every member may be called from any thread;
// reserve() takes no lock.
class GcmBudgets {
 public:
  class Counter;

  // The one instance of the process.
  static GcmBudgets& process();

  // The count of the key with this process-wide fingerprint (process_fingerprint_secret).
  // The reference stays valid for the life of the process.
  Counter& counter(const Fingerprint& key);
  // From now on `first` and `second` (a resident key stored from material, and that material)
  // are one budget; what each has counted so far is added up.
  void share(const Fingerprint& first, const Fingerprint& second);

  // Counts one more message unless that would pass `limit`; false when the budget is spent.
  // Never lets the count pass the limit, whatever the number of threads.
  [[nodiscard]] static bool reserve(Counter& counter, std::uint64_t limit) noexcept;
  // The messages counted so far.
  [[nodiscard]] static std::uint64_t used(Counter& counter) noexcept;

 private:
  GcmBudgets() = default;

  std::mutex mutex_;
  std::unordered_map<Fingerprint, std::unique_ptr<Counter>, FingerprintHash> counters_;
};

}  // namespace craton::hsm::pkcs11
