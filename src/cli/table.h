// SPDX-License-Identifier: Apache-2.0
// Table: rows of text rendered as aligned columns for terminal output.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace craton::hsm::cli {

enum class Align { Left, Right };

struct Column {
  std::string header;  // all headers empty: the table prints without a header line
  Align align = Align::Left;
};

// Collects rows, then pads each column to its widest cell (counted in UTF-8 code points, so
// vendor labels with accents still line up). Columns are separated by two spaces; the last
// left-aligned column is not padded, so no line ends in blanks. Headers and cells go through
// terminal_safe: token strings are attacker-controlled, and a row is always one line. Not
// thread-safe.
class Table {
 public:
  explicit Table(std::vector<Column> columns);

  // A row with fewer cells than columns is padded with empty cells; extra cells are dropped.
  void add_row(std::vector<std::string> cells);
  [[nodiscard]] bool empty() const noexcept { return rows_.empty(); }

  // Every line starts with `indent` and ends with '\n'.
  [[nodiscard]] std::string render(std::string_view indent = "") const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// `text` made safe to print on a terminal: well-formed UTF-8 stays as it is; C0 controls, DEL,
// C1 controls, the bidirectional embeddings, overrides and isolates, and every byte of
// ill-formed UTF-8 become visible escapes ("\n", "\r", "\t", "\x1b", "\u009b", "\u202e",
// "\xff"), and a backslash becomes "\\" so that no escape can be forged. A label can then
// neither drive the terminal, nor split a line, nor reorder what follows it on screen.
[[nodiscard]] std::string terminal_safe(std::string_view text);

// The display width of `text`: its number of UTF-8 code points.
[[nodiscard]] std::size_t display_width(std::string_view text) noexcept;

}  // namespace craton::hsm::cli
