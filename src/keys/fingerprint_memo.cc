// SPDX-License-Identifier: Apache-2.0
// The lock-free per-key memo of backend fingerprints.
#include "keys/fingerprint_memo.h"

#include <span>

#include "core/hex.h"

namespace craton::hsm {

std::string Fingerprint::short_hex() const {
  return to_hex(std::span(bytes).first<8>());
}

FingerprintMemo::~FingerprintMemo() {
  const MemoEntry* entry = head_.load(std::memory_order_acquire);
  while (entry != nullptr) {
    const MemoEntry* next = entry->next;
    delete entry;
    entry = next;
  }
}

const MemoEntry* FingerprintMemo::find(std::uint64_t owner) const noexcept {
  for (const MemoEntry* entry = head_.load(std::memory_order_acquire); entry != nullptr;
       entry = entry->next) {
    if (entry->owner == owner) return entry;
  }
  return nullptr;
}

const MemoEntry* FingerprintMemo::insert(std::uint64_t owner, const Fingerprint& fingerprint,
                                         void* state) const {
  auto* fresh = new MemoEntry{owner, fingerprint, state, head_.load(std::memory_order_acquire)};
  for (;;) {
    // Another thread may have added this owner's entry meanwhile: keep the first.
    for (const MemoEntry* entry = fresh->next; entry != nullptr; entry = entry->next) {
      if (entry->owner == owner) {
        delete fresh;
        return entry;
      }
    }
    if (head_.compare_exchange_weak(fresh->next, fresh, std::memory_order_acq_rel,
                                    std::memory_order_acquire)) {
      return fresh;
    }
  }
}

std::uint64_t next_memo_owner_id() noexcept {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace craton::hsm
