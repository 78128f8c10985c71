// SPDX-License-Identifier: Apache-2.0
// The comma bookkeeping of JsonWriter; strings are quoted by core/json_escape.
#include "cli/json_writer.h"

#include "core/json_escape.h"

#include <cassert>
#include <cmath>

#include <fmt/format.h>

namespace craton::hsm::cli {
void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) {
    assert(out_.empty() && "only one top-level value");
    return;
  }
  Level& level = stack_.back();
  assert(level.scope == Scope::Array && "object members need key() first");
  if (!level.empty) out_ += ',';
  level.empty = false;
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  stack_.push_back({Scope::Object});
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  assert(!stack_.empty() && stack_.back().scope == Scope::Object && !after_key_);
  stack_.pop_back();
  out_ += '}';
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  stack_.push_back({Scope::Array});
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  assert(!stack_.empty() && stack_.back().scope == Scope::Array);
  stack_.pop_back();
  out_ += ']';
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  assert(!stack_.empty() && stack_.back().scope == Scope::Object && !after_key_);
  Level& level = stack_.back();
  if (!level.empty) out_ += ',';
  level.empty = false;
  append_json_quoted(out_, name);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  before_value();
  append_json_quoted(out_, text);
  return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t number) {
  before_value();
  out_ += fmt::format("{}", number);
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  if (!std::isfinite(number)) return null();
  before_value();
  out_ += fmt::format("{}", number);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  before_value();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::value(const std::optional<std::uint64_t>& number) {
  return number ? value(*number) : null();
}

}  // namespace craton::hsm::cli
