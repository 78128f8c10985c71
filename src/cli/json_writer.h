// SPDX-License-Identifier: Apache-2.0
// JsonWriter: a minimal streaming JSON builder with correct string escaping, for --json output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace craton::hsm::cli {

// Appends RFC 8259 JSON to an internal string. The caller drives the structure
// (begin_object/key/value/end_object); the writer inserts commas and escapes strings. Bytes that
// are not valid UTF-8 (token fields are vendor-filled) become U+FFFD so the output always
// parses. Misuse (a value where a key belongs, unbalanced ends) is a programming error and is
// caught by assertions in debug builds only. Not thread-safe.
class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The next value belongs to this member name; only valid directly inside an object.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(bool flag);
  // A finite number in its shortest form; null for NaN and infinities (JSON has none).
  JsonWriter& value(double number);
  JsonWriter& null();
  // A number, or null when absent.
  JsonWriter& value(const std::optional<std::uint64_t>& number);

  // The document so far; complete once every begin has its end.
  [[nodiscard]] const std::string& str() const noexcept { return out_; }

 private:
  enum class Scope { Object, Array };
  struct Level {
    Scope scope = Scope::Object;
    bool empty = true;
  };
  // Emits the comma (if needed) before a key or an array element.
  void before_value();

  std::string out_;
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace craton::hsm::cli
