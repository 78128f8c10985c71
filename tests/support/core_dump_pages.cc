// SPDX-License-Identifier: Apache-2.0
#include "support/core_dump_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>

namespace craton::hsm::testing {

std::optional<std::string> vm_flags_of(const void* address) {
  const auto target = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t start = 0;
    std::uintptr_t end = 0;
    char dash = 0;
    std::istringstream header(line);
    // A mapping's header line starts "start-end perms ..."; its fields follow on their own lines.
    if (header >> std::hex >> start >> dash >> end && dash == '-') {
      inside = target >= start && target < end;
      continue;
    }
    if (inside && line.starts_with("VmFlags:")) return line;
  }
  return std::nullopt;
}

bool excluded_from_core_dumps(const void* address) {
  const std::optional<std::string> flags = vm_flags_of(address);
  if (!flags) {
    ADD_FAILURE() << "no mapping holds " << address;
    return false;
  }
  return flags->find(" dd") != std::string::npos;
}

}  // namespace craton::hsm::testing
