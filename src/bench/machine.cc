// SPDX-License-Identifier: Apache-2.0
// Describing the machine a report was measured on, and the default thread counts.
#include <sys/utsname.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "bench/bench_session.h"

namespace craton::hsm::bench {

std::vector<unsigned> default_threads() {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<unsigned> threads{1, 2, 2 * cores};
  std::sort(threads.begin(), threads.end());
  threads.erase(std::unique(threads.begin(), threads.end()), threads.end());
  return threads;
}

std::string describe_machine() {
  std::string cpu = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.starts_with("model name")) {
      if (const auto colon = line.find(':'); colon != std::string::npos) {
        cpu = line.substr(colon + 2);
      }
      break;
    }
  }
  utsname names{};
  const std::string kernel =
      uname(&names) == 0 ? fmt::format("{} {}", names.sysname, names.release) : "unknown OS";
  return fmt::format("{} ({} hardware threads), {}", cpu, std::thread::hardware_concurrency(),
                     kernel);
}

}  // namespace craton::hsm::bench
