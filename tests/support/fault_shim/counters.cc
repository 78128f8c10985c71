// SPDX-License-Identifier: Apache-2.0
// The shim's counters and their stats file.
#include "counters.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "handles.h"

namespace craton::hsm::fault_shim {

void Counters::enter() {
  const unsigned long now = inside_.fetch_add(1) + 1;
  unsigned long seen = max_inside_.load();
  while (now > seen && !max_inside_.compare_exchange_weak(seen, now)) {
  }
}

bool Counters::enter_alone() {
  if (alone_inside_.fetch_add(1, std::memory_order_acq_rel) == 0) return true;
  alone_inside_.fetch_sub(1, std::memory_order_acq_rel);
  overlaps_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

CratonFaultStats Counters::snapshot() const {
  CratonFaultStats stats{};
  for (const auto& count : calls_) stats.calls += count.load(std::memory_order_relaxed);
  stats.live_sessions = handles().live_sessions();
  stats.live_objects = handles().live_objects();
  stats.sessions_opened = sessions_opened_.load();
  stats.objects_created = objects_created_.load();
  stats.faults_injected = faults_.load();
  stats.restarts = restarts_.load();
  stats.max_concurrency = max_inside_.load();
  stats.overlaps = overlaps_.load();
  return stats;
}

void Counters::reset() {
  for (auto& count : calls_) count = 0;
  sessions_opened_ = 0;
  objects_created_ = 0;
  faults_ = 0;
  restarts_ = 0;
  max_inside_ = 0;
  overlaps_ = 0;
}

Counters& counters() {
  static Counters instance;
  return instance;
}

std::string render_stats() {
  const CratonFaultStats stats = counters().snapshot();
  std::string text;
  const auto line = [&](std::string_view name, unsigned long value) {
    text.append(name).append(" ").append(std::to_string(value)).append("\n");
  };
  line("calls", stats.calls);
  line("live_sessions", stats.live_sessions);
  line("live_objects", stats.live_objects);
  line("sessions_opened", stats.sessions_opened);
  line("objects_created", stats.objects_created);
  line("faults_injected", stats.faults_injected);
  line("restarts", stats.restarts);
  line("max_concurrency", stats.max_concurrency);
  line("overlaps", stats.overlaps);
  for (std::size_t i = 0; i < pkcs11::kFnCount; ++i) {
    const std::uint64_t count = counters().calls(static_cast<pkcs11::Fn>(i));
    if (count != 0) {
      text.append("calls ").append(pkcs11::kFnNames[i]).append(" ");
      text.append(std::to_string(count)).append("\n");
    }
  }
  return text;
}

bool write_stats_file() {
  const char* path = std::getenv("CRATON_FAULT_STATS");
  if (path == nullptr || *path == '\0') return false;
  const std::string text = render_stats();
  const std::string temporary = std::string(path) + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "w");
  if (file == nullptr) return false;
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    std::remove(temporary.c_str());
    return false;
  }
  return std::rename(temporary.c_str(), path) == 0;
}

}  // namespace craton::hsm::fault_shim
