// SPDX-License-Identifier: Apache-2.0
// Column width computation and padding for Table.
#include "cli/table.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/json_escape.h"

namespace craton::hsm::cli {
namespace {

constexpr std::string_view kGap = "  ";

void append_byte_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      out += fmt::format("\\x{:02x}", c);
  }
}

// The code point of a well-formed 2- or 3-byte sequence when it is one that steers a terminal
// although it is valid text: a C1 control (U+0080..U+009F; U+009B is CSI on many terminals) or
// a bidirectional embedding, override or isolate (U+202A..U+202E, U+2066..U+2069), which
// reorder what follows them on screen.
std::optional<char32_t> steering_code_point(std::string_view sequence) {
  const auto byte = [&](std::size_t k) { return static_cast<char32_t>(sequence[k]) & 0xffU; };
  char32_t code_point = 0;
  if (sequence.size() == 2) {
    code_point = ((byte(0) & 0x1fU) << 6) | (byte(1) & 0x3fU);
  } else if (sequence.size() == 3) {
    code_point = ((byte(0) & 0x0fU) << 12) | ((byte(1) & 0x3fU) << 6) | (byte(2) & 0x3fU);
  } else {
    return std::nullopt;
  }
  const bool c1 = code_point >= 0x80 && code_point <= 0x9f;
  const bool bidi = (code_point >= 0x202a && code_point <= 0x202e) ||
                    (code_point >= 0x2066 && code_point <= 0x2069);
  if (c1 || bidi) return code_point;
  return std::nullopt;
}

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

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      if (c == '\\') out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    const std::size_t length = c < 0x80 ? 1 : utf8_sequence_length(text, i);
    if (length == 0 || length == 1) {  // a C0 control, DEL, or a byte of ill-formed UTF-8
      append_byte_escape(out, c);
      ++i;
      continue;
    }
    const std::string_view sequence = text.substr(i, length);
    if (const std::optional<char32_t> steering = steering_code_point(sequence)) {
      out += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(*steering));
    } else {
      out += sequence;
    }
    i += length;
  }
  return out;
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {
  for (Column& column : columns_) column.header = terminal_safe(column.header);
}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  for (std::string& cell : cells) cell = terminal_safe(cell);
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
