// SPDX-License-Identifier: Apache-2.0
// Column width computation and padding for Table.
#include "cli/table.h"

#include <algorithm>
#include <utility>

namespace craton::hsm::cli {
namespace {

constexpr std::string_view kGap = "  ";

bool has_header(const std::vector<Column>& columns) {
  return std::ranges::any_of(columns, [](const Column& c) { return !c.header.empty(); });
}

void append_line(std::string& out, std::string_view indent, const std::vector<Column>& columns,
                 const std::vector<std::size_t>& widths, const std::vector<std::string>& cells) {
  std::string line(indent);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const std::string& cell = cells[i];
    const std::size_t padding = widths[i] - display_width(cell);
    const bool last = i + 1 == columns.size();
    if (i > 0) line += kGap;
    if (columns[i].align == Align::Right) {
      line.append(padding, ' ');
      line += cell;
    } else {
      line += cell;
      if (!last) line.append(padding, ' ');
    }
  }
  // A trailing empty left-aligned cell would still leave the gap behind.
  line.erase(line.find_last_not_of(' ') + 1);
  out += line;
  out += '\n';
}

}  // namespace

std::size_t display_width(std::string_view text) noexcept {
  // Continuation bytes (10xxxxxx) do not start a code point.
  return static_cast<std::size_t>(std::ranges::count_if(
      text, [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

std::string Table::render(std::string_view indent) const {
  const bool header = has_header(columns_);
  std::vector<std::string> header_cells;
  std::vector<std::size_t> widths(columns_.size(), 0);
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    header_cells.push_back(columns_[i].header);
    if (header) widths[i] = display_width(columns_[i].header);
    for (const auto& row : rows_) widths[i] = std::max(widths[i], display_width(row[i]));
  }
  std::string out;
  if (header) append_line(out, indent, columns_, widths, header_cells);
  for (const auto& row : rows_) append_line(out, indent, columns_, widths, row);
  return out;
}

}  // namespace craton::hsm::cli
