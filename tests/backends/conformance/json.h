// SPDX-License-Identifier: Apache-2.0
// A small, strict JSON (RFC 8259) reader for the Wycheproof vector files: no library is
// installed, and test data deserves a parser that refuses anything malformed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace craton::hsm::conformance::json {

class Value;
struct Member;
using Array = std::vector<Value>;
using Object = std::vector<Member>;  // in document order; duplicate names are refused

// Numbers keep their literal text; callers choose the reading (as_int / as_double).
struct Number {
  std::string text;
};

// Thrown by the accessors when a value has another type or a member is missing, so the
// harness can report "tcId 7: member 'iv' missing" instead of reading garbage.
class TypeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An immutable JSON value. Copyable; no sharing between copies.
class Value {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  Value() = default;  // null
  explicit Value(bool b) : data_(b) {}
  explicit Value(Number n) : data_(std::move(n)) {}
  explicit Value(std::string s) : data_(std::move(s)) {}
  explicit Value(Array a) : data_(std::move(a)) {}
  explicit Value(Object o) : data_(std::move(o)) {}

  [[nodiscard]] Type type() const noexcept { return static_cast<Type>(data_.index()); }
  [[nodiscard]] bool is_null() const noexcept { return type() == Type::Null; }

  [[nodiscard]] bool as_bool() const;
  // An integer literal (no fraction or exponent) that fits in int64.
  [[nodiscard]] std::int64_t as_int() const;
  [[nodiscard]] double as_double() const;
  [[nodiscard]] const std::string& as_string() const;
  [[nodiscard]] const Array& as_array() const;
  [[nodiscard]] const Object& as_object() const;

  // The member named `name` of an object, or nullptr (also for non-objects).
  [[nodiscard]] const Value* find(std::string_view name) const;
  // The member named `name`; TypeError if this is not an object or has no such member.
  [[nodiscard]] const Value& at(std::string_view name) const;

 private:
  std::variant<std::nullptr_t, bool, Number, std::string, Array, Object> data_{nullptr};
};

struct Member {
  std::string name;
  Value value;
};

struct ParseError {
  std::size_t offset;  // byte offset into the input
  std::string message;
};

// Parses exactly one JSON text (surrounding whitespace allowed). Strings must be valid UTF-8;
// escapes including surrogate pairs are decoded; nesting deeper than 256 is refused.
[[nodiscard]] std::expected<Value, ParseError> parse(std::string_view text);

}  // namespace craton::hsm::conformance::json
