// SPDX-License-Identifier: Apache-2.0
// Progress of `craton-hsm bench` on stderr: a redrawn bar on a terminal, plain lines otherwise.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string_view>

namespace craton::hsm::cli {

// Not thread-safe; one instance per run.
class BenchProgress {
 public:
  // `out` is a terminal: draw a bar in place; otherwise one line per step. A null `out` prints
  // nothing (--json keeps standard error for the error object).
  BenchProgress(std::FILE* out, std::size_t total, bool terminal);
  // Announces step number `done + 1` of `total`, about to measure `what`.
  void step(std::string_view what);
  // Clears the bar (terminal) or prints a final line.
  void finish();

 private:
  std::FILE* out_;
  std::size_t total_;
  std::size_t done_ = 0;
  bool terminal_;
};

}  // namespace craton::hsm::cli
