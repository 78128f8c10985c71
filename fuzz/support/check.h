// SPDX-License-Identifier: Apache-2.0
// What every harness shares: the input as text, and the property check that turns a broken
// promise (a round trip that does not come back, an undocumented error code) into a crash
// libFuzzer reports and saves, like a sanitizer finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

namespace craton::hsm::fuzz {

[[nodiscard]] inline std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

[[noreturn]] inline void property_failed(const char* file, int line, const char* what) {
  std::fprintf(stderr, "fuzz property violated at %s:%d: %s\n", file, line, what);
  std::abort();
}

}  // namespace craton::hsm::fuzz

// A property of the code under test; abort() is what libFuzzer records as a crash.
#define FUZZ_CHECK(condition, what)                                                     \
  do {                                                                                  \
    if (!(condition)) ::craton::hsm::fuzz::property_failed(__FILE__, __LINE__, (what)); \
  } while (false)
