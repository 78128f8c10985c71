// SPDX-License-Identifier: Apache-2.0
// The fault spec: the compact text form of faults shared by CRATON_FAULT, CRATON_FAULT_FAIL,
// the CRATON_FAULT_CONFIG file and craton_fault_add (grammar in docs/fault-shim.md).
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fault_plan.h"

namespace craton::hsm::fault_shim {

struct Spec {
  struct Scripted {
    std::size_t function;
    CK_RV rv;
    unsigned long count;
  };
  std::vector<std::pair<std::string, unsigned long>> settings;
  std::vector<Scripted> scripted;  // FUNCTION=RV[:COUNT], the CRATON_FAULT_FAIL form
  std::vector<Rule> rules;
};

// Items are separated by ';' or new lines; '#' starts a comment to the end of the line. The
// error names the first bad item and why; a spec with an error applies nothing.
std::expected<Spec, std::string> parse_spec(std::string_view text);

// Sets the switches, scripts the failures and arms the rules of `spec`.
void apply(const Spec& spec);

// The specs the environment names (CRATON_FAULT_FAIL, CRATON_FAULT, then the file named by
// CRATON_FAULT_CONFIG), applied when the shim loads; the error of the first bad one.
std::expected<void, std::string> apply_environment();

}  // namespace craton::hsm::fault_shim
