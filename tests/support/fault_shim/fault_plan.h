// SPDX-License-Identifier: Apache-2.0
// FaultPlan: the rules that decide, call by call, which fault the shim injects (a CK_RV, a
// restart, a vanish window, a sleep, a misbehaving answer), with their triggers.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <mutex>
#include <vector>

#include "pkcs11/loader/functions.h"

namespace craton::hsm::fault_shim {

using pkcs11::Fn;

// A rule's target when it applies to every function ("*").
inline constexpr std::size_t kAnyFunction = pkcs11::kFnCount;
// The longest sleep or vanish window: a test may wait for a fault, never hang on one.
inline constexpr unsigned long kMaxSleepMs = 30000;

// Answers a real module gives that break the contract in ways vendors' modules have shipped.
enum Misbehaviour : unsigned {
  kOversizeOutput = 1U << 0,      // CKR_OK with *pulLen larger than the caller's buffer
  kEmptyOutput = 1U << 1,         // CKR_OK with *pulLen = 0
  kUnavailableLengths = 1U << 2,  // C_GetAttributeValue: CKR_OK, every length unavailable
  kGarbageStrings = 1U << 3,      // info strings full of non-printable, unpadded bytes
};

struct Action {
  enum class Kind : std::uint8_t { Fail, Restart, Vanish, Sleep, Misbehave };
  Kind kind = Kind::Fail;
  CK_RV rv = CKR_OK;          // Fail
  unsigned long ms = 0;       // Vanish, Sleep
  unsigned misbehaviour = 0;  // Misbehave
};

// Which of the calls a rule sees it fires on: calls number `first`..`last` (1-based, counted
// per rule since it was added), each with probability `probability` from the rule's own
// PRNG (so one seed gives one sequence, whatever other rules do).
struct Trigger {
  std::uint64_t first = 1;
  std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
  double probability = 1.0;
};

struct Rule {
  std::size_t function = kAnyFunction;
  Action action;
  Trigger trigger;
  // Set by craton_fault_fail(_later): such a rule replaces the function's previous one.
  bool scripted = false;
};

// What the rules decided for one call; several rules may fire at once.
struct Decision {
  CK_RV rv = CKR_OK;  // the first firing Fail rule's code
  bool restart = false;
  unsigned long vanish_ms = 0;
  unsigned long sleep_ms = 0;
  unsigned misbehaviour = 0;
  [[nodiscard]] bool empty() const {
    return rv == CKR_OK && !restart && vanish_ms == 0 && sleep_ms == 0 && misbehaviour == 0;
  }
};

// Thread-safe; one mutex, taken once per call only while rules exist.
class FaultPlan {
 public:
  void add(const std::vector<Rule>& rules);
  // craton_fault_fail_later: replaces the function's scripted failure (count 0 removes it).
  void script(std::size_t function, CK_RV rv, unsigned long skip, unsigned long count);
  void seed(std::uint64_t seed);
  void clear();
  Decision decide(Fn fn);

 private:
  struct Armed {
    Rule rule;
    std::uint64_t seen = 0;
    std::uint64_t prng = 0;
  };
  void reseed_locked(std::size_t from);

  std::mutex mutex_;
  std::vector<Armed> rules_;
  std::uint64_t seed_ = 0x5eed;
  std::atomic<bool> any_{false};  // lets a call skip the mutex while no rule exists
};

FaultPlan& plan();

}  // namespace craton::hsm::fault_shim
