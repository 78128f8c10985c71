// SPDX-License-Identifier: Apache-2.0
// Drawing the progress bar.
#include "cli/bench_progress.h"

#include <string>

#include <fmt/format.h>

namespace craton::hsm::cli {
namespace {

constexpr std::size_t kBarWidth = 30;

}  // namespace

BenchProgress::BenchProgress(std::FILE* out, std::size_t total, bool terminal)
    : out_(out), total_(total == 0 ? 1 : total), terminal_(terminal) {}

void BenchProgress::step(std::string_view what) {
  const std::size_t filled = done_ * kBarWidth / total_;
  ++done_;
  if (out_ == nullptr) return;
  if (terminal_) {
    // \r and erase-to-end-of-line redraw the one line in place.
    fmt::print(out_, "\r[{}{}] {}/{} {}\x1b[K", std::string(filled, '#'),
               std::string(kBarWidth - filled, '.'), done_, total_, what);
  } else {
    fmt::print(out_, "bench: {}/{} {}\n", done_, total_, what);
  }
  std::fflush(out_);
}

void BenchProgress::finish() {
  if (out_ == nullptr) return;
  if (terminal_) {
    fmt::print(out_, "\r\x1b[K");
  } else {
    fmt::print(out_, "bench: done\n");
  }
  std::fflush(out_);
}

}  // namespace craton::hsm::cli
