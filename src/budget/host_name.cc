// SPDX-License-Identifier: Apache-2.0
// gethostname for the stores' last_host column.
#include "budget/host_name.h"

#include <array>
#include <cstring>

#include <unistd.h>

namespace craton::hsm::budget {

std::string host_name() {
  std::array<char, 256> buffer{};
  // POSIX leaves the result unterminated when truncated: the last byte stays NUL.
  if (::gethostname(buffer.data(), buffer.size() - 1) != 0 || buffer[0] == '\0') return "unknown";
  return std::string(buffer.data(), ::strnlen(buffer.data(), buffer.size()));
}

}  // namespace craton::hsm::budget
