// SPDX-License-Identifier: Apache-2.0
// A flat-object JSON scanner that extracts the chain fields of one audit record.
#include "audit/record_fields.h"

#include "audit/hmac_sha256.h"

#include <charconv>

namespace craton::hsm::audit {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ == text_.size(); }
  bool consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  // The raw contents of a string whose opening quote was just consumed.
  std::optional<std::string_view> string_body() {
    const std::size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"') return text_.substr(start, pos_++ - start);
      if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
      pos_ += c == '\\' ? 2 : 1;
    }
    return std::nullopt;
  }

  // A number or literal: the run of characters up to the next ',' or '}'.
  std::optional<std::string_view> bare_value() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}') ++pos_;
    const auto value = text_.substr(start, pos_ - start);
    if (value == "true" || value == "false" || value == "null") return value;
    if (value.empty()) return std::nullopt;
    for (const char c : value) {
      if ((c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E') {
        return std::nullopt;
      }
    }
    return value;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

bool set_once(std::optional<std::string_view>& slot, std::string_view value) {
  if (slot) return false;
  slot = value;
  return true;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::expected<RecordFields, std::string> parse_record_fields(std::string_view line) {
  Scanner in(line);
  RecordFields fields;
  std::optional<std::string_view> seq_text;
  std::optional<std::string_view> op;
  std::optional<std::string_view> outcome;
  std::optional<std::string_view> intent_text;
  if (!in.consume('{')) return std::unexpected("not a JSON object");
  do {
    if (!in.consume('"')) return std::unexpected("expected a field name");
    const auto key = in.string_body();
    if (!key || !in.consume(':')) return std::unexpected("malformed field name");
    const bool quoted = in.consume('"');
    const auto value = quoted ? in.string_body() : in.bare_value();
    if (!value) return std::unexpected("malformed value of \"" + std::string(*key) + "\"");
    bool unique = true;
    if (*key == "seq" && !quoted) unique = set_once(seq_text, *value);
    if (*key == "op" && quoted) unique = set_once(op, *value);
    if (*key == "prev" && quoted) unique = set_once(fields.prev, *value);
    if (*key == "prev_file" && quoted) unique = set_once(fields.prev_file, *value);
    if (*key == "mac" && quoted) unique = set_once(fields.mac, *value);
    if (*key == "last" && quoted) unique = set_once(fields.last, *value);
    if (*key == "outcome" && quoted) unique = set_once(outcome, *value);
    if (*key == "intent" && !quoted) unique = set_once(intent_text, *value);
    if (*key == "key" && quoted) unique = set_once(fields.key, *value);
    if (!unique) return std::unexpected("duplicate field \"" + std::string(*key) + "\"");
  } while (in.consume(','));
  if (!in.consume('}') || !in.at_end()) return std::unexpected("trailing bytes after the object");
  if (seq_text) {
    fields.seq = parse_u64(*seq_text);
    if (!fields.seq) return std::unexpected("\"seq\" is not an integer");
  }
  if (intent_text) {
    fields.intent = parse_u64(*intent_text);
    if (!fields.intent) return std::unexpected("\"intent\" is not an integer");
  }
  fields.op = op.value_or("");
  fields.outcome = outcome.value_or("");
  return fields;
}

std::optional<std::string_view> mac_covered_prefix(std::string_view line) noexcept {
  if (line.size() < kMacSuffixLength + 1 || !line.ends_with("\"}")) return std::nullopt;
  const std::size_t prefix_length = line.size() - kMacSuffixLength;
  if (line.substr(prefix_length, kMacFieldOpen.size()) != kMacFieldOpen) return std::nullopt;
  return line.substr(0, prefix_length);
}

std::string_view sealed_mac(std::string_view line) noexcept {
  if (!mac_covered_prefix(line)) return {};
  return line.substr(line.size() - kMacHexLength - 2, kMacHexLength);
}

Result<bool> seal_verifies(std::string_view line, AuditMac& mac) {
  const auto prefix = mac_covered_prefix(line);
  if (!prefix) return false;
  CRATON_ASSIGN_OR_RETURN(const std::string expected, mac_hex(mac, *prefix));
  return expected == sealed_mac(line);
}

}  // namespace craton::hsm::audit
