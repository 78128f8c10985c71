// SPDX-License-Identifier: Apache-2.0
// The strict recursive-descent JSON parser and the typed accessors of json::Value.
#include "backends/conformance/json.h"

#include <charconv>
#include <limits>
#include <system_error>
#include <utility>

namespace craton::hsm::conformance::json {
namespace {

constexpr int kMaxDepth = 256;

const char* type_name(Value::Type type) {
  static constexpr const char* kNames[] = {"null", "bool", "number", "string", "array", "object"};
  return kNames[static_cast<int>(type)];
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::expected<Value, ParseError> document() {
    skip_whitespace();
    Value value = parse_value(0);
    if (!failed()) {
      skip_whitespace();
      if (pos_ != text_.size()) fail("trailing characters after the JSON value");
    }
    if (failed()) return std::unexpected(std::move(error_));
    return value;
  }

 private:
  bool failed() const { return !error_.message.empty(); }
  void fail(std::string message) {
    if (!failed()) error_ = {pos_, std::move(message)};
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_whitespace() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }

  bool consume_literal(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  Value parse_value(int depth) {
    if (depth > kMaxDepth) {
      fail("nesting too deep");
      return {};
    }
    switch (peek()) {
      case '{':
        return parse_object(depth);
      case '[':
        return parse_array(depth);
      case '"':
        return Value(parse_string());
      case 't':
        if (consume_literal("true")) return Value(true);
        break;
      case 'f':
        if (consume_literal("false")) return Value(false);
        break;
      case 'n':
        if (consume_literal("null")) return Value();
        break;
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return parse_number();
        break;
    }
    fail(at_end() ? "unexpected end of input" : "unexpected character");
    return {};
  }

  Value parse_object(int depth) {
    ++pos_;  // '{'
    Object members;
    skip_whitespace();
    if (peek() == '}') {
      ++pos_;
      return Value(std::move(members));
    }
    while (!failed()) {
      skip_whitespace();
      if (peek() != '"') {
        fail("expected a member name");
        break;
      }
      const std::size_t name_at = pos_;
      std::string name = parse_string();
      skip_whitespace();
      if (peek() != ':') {
        fail("expected ':'");
        break;
      }
      ++pos_;
      skip_whitespace();
      Value value = parse_value(depth + 1);
      if (failed()) break;
      for (const Member& existing : members) {
        if (existing.name == name) {
          error_ = {name_at, "duplicate member name \"" + name + "\""};
          return {};
        }
      }
      members.push_back({std::move(name), std::move(value)});
      skip_whitespace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return Value(std::move(members));
      }
      fail("expected ',' or '}'");
    }
    return {};
  }

  Value parse_array(int depth) {
    ++pos_;  // '['
    Array elements;
    skip_whitespace();
    if (peek() == ']') {
      ++pos_;
      return Value(std::move(elements));
    }
    while (!failed()) {
      skip_whitespace();
      elements.push_back(parse_value(depth + 1));
      if (failed()) break;
      skip_whitespace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return Value(std::move(elements));
      }
      fail("expected ',' or ']'");
    }
    return {};
  }

  Value parse_number() {
    const std::size_t start = pos_;
    auto digits = [this] {
      const std::size_t from = pos_;
      while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
      return pos_ - from;
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
      if (peek() >= '0' && peek() <= '9') {
        fail("leading zero in a number");
        return {};
      }
    } else if (digits() == 0) {
      fail("expected a digit");
      return {};
    }
    if (peek() == '.') {
      ++pos_;
      if (digits() == 0) {
        fail("expected a digit after '.'");
        return {};
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (digits() == 0) {
        fail("expected a digit in the exponent");
        return {};
      }
    }
    return Value(Number{std::string(text_.substr(start, pos_ - start))});
  }

  // Four hex digits of a \u escape.
  int parse_hex4() {
    int value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = peek();
      int digit = -1;
      if (c >= '0' && c <= '9') digit = c - '0';
      if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      if (digit < 0) {
        fail("expected four hex digits after \\u");
        return -1;
      }
      value = value * 16 + digit;
      ++pos_;
    }
    return value;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  void parse_escape(std::string& out) {
    const char c = peek();
    ++pos_;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out.push_back(c);
        return;
      case 'b':
        out.push_back('\b');
        return;
      case 'f':
        out.push_back('\f');
        return;
      case 'n':
        out.push_back('\n');
        return;
      case 'r':
        out.push_back('\r');
        return;
      case 't':
        out.push_back('\t');
        return;
      case 'u':
        break;
      default:
        --pos_;
        fail("invalid escape");
        return;
    }
    const int first = parse_hex4();
    if (first < 0) return;
    std::uint32_t cp = static_cast<std::uint32_t>(first);
    if (cp >= 0xdc00 && cp <= 0xdfff) {
      fail("lone low surrogate");
      return;
    }
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (!consume_literal("\\u")) {
        fail("high surrogate without a low surrogate");
        return;
      }
      const int second = parse_hex4();
      if (second < 0) return;
      if (second < 0xdc00 || second > 0xdfff) {
        fail("high surrogate followed by a non-low surrogate");
        return;
      }
      cp = 0x10000 + ((cp - 0xd800) << 10) + (static_cast<std::uint32_t>(second) - 0xdc00);
    }
    append_utf8(out, cp);
  }

  // One UTF-8 encoded character starting at pos_ (RFC 3629: no overlongs, no surrogates).
  void copy_utf8(std::string& out) {
    const auto byte = [this](std::size_t at) {
      return at < text_.size() ? static_cast<unsigned char>(text_[at]) : 0U;
    };
    const unsigned lead = byte(pos_);
    std::size_t length = 0;
    std::uint32_t cp = 0;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
      cp = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      cp = lead & 0x0f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      cp = lead & 0x07;
    } else {
      fail("invalid UTF-8");
      return;
    }
    for (std::size_t i = 1; i < length; ++i) {
      const unsigned next = byte(pos_ + i);
      if ((next & 0xc0) != 0x80) {
        fail("invalid UTF-8");
        return;
      }
      cp = (cp << 6) | (next & 0x3f);
    }
    const std::uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < minimum[length] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      fail("invalid UTF-8");
      return;
    }
    out.append(text_.substr(pos_, length));
    pos_ += length;
  }

  std::string parse_string() {
    ++pos_;  // '"'
    std::string out;
    while (!failed()) {
      if (at_end()) {
        fail("unterminated string");
        break;
      }
      const auto c = static_cast<unsigned char>(peek());
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) {
        fail("unescaped control character in a string");
      } else if (c == '\\') {
        ++pos_;
        parse_escape(out);
      } else if (c < 0x80) {
        out.push_back(static_cast<char>(c));
        ++pos_;
      } else {
        copy_utf8(out);
      }
    }
    return {};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  ParseError error_{0, ""};
};

}  // namespace

bool Value::as_bool() const {
  if (const auto* b = std::get_if<bool>(&data_)) return *b;
  throw TypeError(std::string("expected a bool, found ") + type_name(type()));
}

std::int64_t Value::as_int() const {
  const auto* number = std::get_if<Number>(&data_);
  if (number == nullptr)
    throw TypeError(std::string("expected a number, found ") + type_name(type()));
  std::int64_t value = 0;
  const char* first = number->text.data();
  const char* last = first + number->text.size();
  const auto [end, error] = std::from_chars(first, last, value);
  if (error != std::errc() || end != last) {
    throw TypeError("expected an integer in int64 range, found " + number->text);
  }
  return value;
}

double Value::as_double() const {
  const auto* number = std::get_if<Number>(&data_);
  if (number == nullptr)
    throw TypeError(std::string("expected a number, found ") + type_name(type()));
  double value = 0;
  const char* first = number->text.data();
  const char* last = first + number->text.size();
  const auto [end, error] = std::from_chars(first, last, value);
  if (error != std::errc() || end != last) throw TypeError("number out of range: " + number->text);
  return value;
}

const std::string& Value::as_string() const {
  if (const auto* s = std::get_if<std::string>(&data_)) return *s;
  throw TypeError(std::string("expected a string, found ") + type_name(type()));
}

const Array& Value::as_array() const {
  if (const auto* a = std::get_if<Array>(&data_)) return *a;
  throw TypeError(std::string("expected an array, found ") + type_name(type()));
}

const Object& Value::as_object() const {
  if (const auto* o = std::get_if<Object>(&data_)) return *o;
  throw TypeError(std::string("expected an object, found ") + type_name(type()));
}

const Value* Value::find(std::string_view name) const {
  const auto* object = std::get_if<Object>(&data_);
  if (object == nullptr) return nullptr;
  for (const Member& member : *object) {
    if (member.name == name) return &member.value;
  }
  return nullptr;
}

const Value& Value::at(std::string_view name) const {
  (void)as_object();  // throws for non-objects
  if (const Value* value = find(name)) return *value;
  throw TypeError("member \"" + std::string(name) + "\" missing");
}

std::expected<Value, ParseError> parse(std::string_view text) {
  return Parser(text).document();
}

}  // namespace craton::hsm::conformance::json
