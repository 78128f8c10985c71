// SPDX-License-Identifier: Apache-2.0
// Deciding each call's faults from the armed rules.
#include "fault_plan.h"

#include <algorithm>

namespace craton::hsm::fault_shim {
namespace {

// splitmix64 (Steele, Lea, Flood 2014): tiny, seedable, and the same on every platform.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A uniform draw in [0, 1) from the top 53 bits.
double draw(std::uint64_t& state) {
  return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
}

void merge(const Action& action, Decision& decision) {
  switch (action.kind) {
    case Action::Kind::Fail:
      if (decision.rv == CKR_OK) decision.rv = action.rv;
      break;
    case Action::Kind::Restart:
      decision.restart = true;
      break;
    case Action::Kind::Vanish:
      decision.vanish_ms = std::max(decision.vanish_ms, action.ms);
      break;
    case Action::Kind::Sleep:
      decision.sleep_ms = std::min(decision.sleep_ms + action.ms, kMaxSleepMs);
      break;
    case Action::Kind::Misbehave:
      decision.misbehaviour |= action.misbehaviour;
      break;
  }
}

}  // namespace

void FaultPlan::add(const std::vector<Rule>& rules) {
  const std::lock_guard lock(mutex_);
  const std::size_t before = rules_.size();
  for (const Rule& rule : rules) rules_.push_back(Armed{rule, 0, 0});
  reseed_locked(before);
  any_ = !rules_.empty();
}

void FaultPlan::script(std::size_t function, CK_RV rv, unsigned long skip, unsigned long count) {
  const std::lock_guard lock(mutex_);
  std::erase_if(rules_, [&](const Armed& armed) {
    return armed.rule.scripted && armed.rule.function == function;
  });
  if (count > 0) {
    Rule rule;
    rule.function = function;
    rule.action.rv = rv;
    rule.trigger.first = std::uint64_t{skip} + 1;
    // ~0UL (every call) must not wrap around.
    rule.trigger.last = count > rule.trigger.last - skip ? rule.trigger.last : skip + count;
    rule.scripted = true;
    rules_.push_back(Armed{rule, 0, 0});
  }
  any_ = !rules_.empty();
}

void FaultPlan::seed(std::uint64_t seed) {
  const std::lock_guard lock(mutex_);
  seed_ = seed;
  reseed_locked(0);
}

void FaultPlan::clear() {
  const std::lock_guard lock(mutex_);
  rules_.clear();
  seed_ = 0x5eed;
  any_ = false;
}

// Each rule draws from its own stream, derived from the seed and its position, so adding a
// rule elsewhere does not shift another rule's sequence.
void FaultPlan::reseed_locked(std::size_t from) {
  for (std::size_t i = from; i < rules_.size(); ++i) {
    std::uint64_t state = seed_ ^ (0xd1b54a32d192ed03ULL * (i + 1));
    rules_[i].prng = splitmix64(state);
  }
}

Decision FaultPlan::decide(Fn fn) {
  Decision decision;
  if (!any_.load(std::memory_order_acquire)) return decision;
  const auto index = static_cast<std::size_t>(fn);
  const std::lock_guard lock(mutex_);
  for (Armed& armed : rules_) {
    if (armed.rule.function != index && armed.rule.function != kAnyFunction) continue;
    const std::uint64_t number = ++armed.seen;
    const Trigger& trigger = armed.rule.trigger;
    if (number < trigger.first || number > trigger.last) continue;
    if (trigger.probability < 1.0 && draw(armed.prng) >= trigger.probability) continue;
    merge(armed.rule.action, decision);
  }
  return decision;
}

FaultPlan& plan() {
  static FaultPlan instance;
  return instance;
}

}  // namespace craton::hsm::fault_shim
