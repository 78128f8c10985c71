// SPDX-License-Identifier: Apache-2.0
// Parsing fault specs. Every mistake is an error naming the item: a typo must never yield a
// test that silently runs without its fault.
#include "spec.h"

#include <array>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "pkcs11/loader/rv_map.h"
#include "switches.h"

namespace craton::hsm::fault_shim {
namespace {

using Error = std::unexpected<std::string>;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto at = text.find(separator);
    parts.push_back(trim(text.substr(0, at)));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// A number in C syntax: decimal or 0x-prefixed hex.
std::optional<unsigned long> number(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  unsigned long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// A CKR_ name from the project's one CK_RV table, or a number. The table is keyed by value,
// so the names are found by walking the spec's range (v3.0 §5.1 ends below 0x300).
std::optional<CK_RV> return_value(std::string_view text) {
  if (text.starts_with("CKR_")) {
    for (CK_RV rv = 0; rv < 0x300; ++rv) {
      if (pkcs11::rv_name(rv) == text) return rv;
    }
    if (pkcs11::rv_name(CKR_VENDOR_DEFINED) == text) return CKR_VENDOR_DEFINED;
    return std::nullopt;
  }
  return number(text);
}

std::optional<std::size_t> function(std::string_view name) {
  if (name == "*") return kAnyFunction;
  for (std::size_t i = 0; i < pkcs11::kFnCount; ++i) {
    if (pkcs11::kFnNames[i] == name) return i;
  }
  return std::nullopt;
}

std::optional<unsigned long> milliseconds(std::string_view text) {
  const auto ms = number(text);
  if (!ms || *ms > kMaxSleepMs) return std::nullopt;
  return ms;
}

constexpr std::array<std::pair<std::string_view, unsigned>, 4> kMisbehaviours{{
    {"oversize_output", kOversizeOutput},
    {"empty_output", kEmptyOutput},
    {"unavailable_lengths", kUnavailableLengths},
    {"garbage_strings", kGarbageStrings},
}};

Action make(Action::Kind kind, CK_RV rv, unsigned long ms, unsigned misbehaviour) {
  Action result;
  result.kind = kind;
  result.rv = rv;
  result.ms = ms;
  result.misbehaviour = misbehaviour;
  return result;
}

std::expected<Action, std::string> action(std::string_view text) {
  using Kind = Action::Kind;
  if (text == "restart") return make(Kind::Restart, CKR_OK, 0, 0);
  for (const auto& [name, bit] : kMisbehaviours) {
    if (text == name) return make(Kind::Misbehave, CKR_OK, 0, bit);
  }
  for (const auto& [prefix, kind] : {std::pair{"vanish=", Kind::Vanish}, {"sleep=", Kind::Sleep}}) {
    if (!text.starts_with(prefix)) continue;
    const auto ms = milliseconds(text.substr(std::string_view(prefix).size()));
    if (!ms) return Error("the time must be 0..30000 ms");
    return make(kind, CKR_OK, *ms, 0);
  }
  const auto rv = return_value(text);
  if (!rv) return Error(fmt::format("unknown action or CK_RV '{}'", text));
  if (*rv == CKR_OK) return Error("CKR_OK is no failure");
  return make(Kind::Fail, *rv, 0, 0);
}

// Narrows `trigger` by one WHEN part.
std::expected<void, std::string> narrow(std::string_view text, Trigger& trigger) {
  if (text == "always") return {};
  if (text.starts_with("p=")) {
    const std::string_view value = text.substr(2);
    double p = -1;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), p);
    if (ec != std::errc() || end != value.data() + value.size() || p < 0 || p > 1) {
      return Error("p must be a probability in [0, 1]");
    }
    trigger.probability = p;
    return {};
  }
  const auto equals = text.find('=');
  const auto n = number(text.substr(equals == std::string_view::npos ? text.size() : equals + 1));
  const std::string_view key = text.substr(0, equals);
  if (!n || (key != "after" && *n == 0)) return Error(fmt::format("'{}' needs N >= 1", text));
  if (key == "nth") {
    trigger.first = *n;
    trigger.last = *n;
  } else if (key == "after") {
    trigger.first = *n + 1;
  } else if (key == "first") {
    trigger.last = *n;
  } else {
    return Error(fmt::format("unknown trigger '{}'", text));
  }
  return {};
}

// TARGET:ACTION[:WHEN]...
std::expected<Rule, std::string> rule(std::string_view item) {
  const std::vector<std::string_view> parts = split(item, ':');
  if (parts.size() < 2) return Error("expected TARGET:ACTION[:WHEN]");
  const auto target = function(parts[0]);
  if (!target) return Error(fmt::format("unknown function '{}'", parts[0]));
  auto act = action(parts[1]);
  if (!act) return Error(act.error());
  Rule result;
  result.function = *target;
  result.action = *act;
  for (std::size_t i = 2; i < parts.size(); ++i) {
    if (auto narrowed = narrow(parts[i], result.trigger); !narrowed) {
      return Error(narrowed.error());
    }
  }
  return result;
}

// NAME=VALUE (a switch) or FUNCTION=RV[:COUNT] (a scripted failure).
std::expected<void, std::string> assignment(std::string_view item, Spec& spec) {
  const auto equals = item.find('=');
  const std::string_view name = trim(item.substr(0, equals));
  const std::string_view value = trim(item.substr(equals + 1));
  if (!name.starts_with("C_")) {
    const auto n = number(value);
    if (!is_switch(name)) return Error(fmt::format("unknown switch '{}'", name));
    if (!n) return Error("the value must be a number");
    spec.settings.emplace_back(name, *n);
    return {};
  }
  const auto target = function(name);
  if (!target) return Error(fmt::format("unknown function '{}'", name));
  const std::vector<std::string_view> parts = split(value, ':');
  const auto rv = return_value(parts[0]);
  if (!rv || parts.size() > 2) return Error("expected FUNCTION=RV[:COUNT]");
  const auto count = parts.size() == 2 ? number(parts[1]) : std::optional(~0UL);
  if (!count) return Error("the count must be a number");
  spec.scripted.push_back({*target, *rv, *count});
  return {};
}

std::expected<void, std::string> item(std::string_view text, Spec& spec) {
  const auto equals = text.find('=');
  const auto colon = text.find(':');
  if (equals != std::string_view::npos && (colon == std::string_view::npos || equals < colon)) {
    return assignment(text, spec);
  }
  auto parsed = rule(text);
  if (!parsed) return Error(parsed.error());
  spec.rules.push_back(*parsed);
  return {};
}

std::expected<std::string, std::string> read_file(const char* path) {
  std::ifstream file(path);
  if (!file) return Error(fmt::format("cannot read CRATON_FAULT_CONFIG file {}", path));
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

std::expected<Spec, std::string> parse_spec(std::string_view text) {
  Spec spec;
  for (std::string_view line : split(text, '\n')) {
    line = line.substr(0, line.find('#'));
    for (const std::string_view entry : split(line, ';')) {
      if (entry.empty()) continue;
      if (auto parsed = item(entry, spec); !parsed) {
        return Error(fmt::format("bad fault spec item '{}': {}", entry, parsed.error()));
      }
    }
  }
  return spec;
}

void apply(const Spec& spec) {
  for (const auto& [name, value] : spec.settings) set_switch(name, value);
  for (const Spec::Scripted& failure : spec.scripted) {
    plan().script(failure.function, failure.rv, 0, failure.count);
  }
  plan().add(spec.rules);
}

std::expected<void, std::string> apply_environment() {
  std::vector<std::string> texts;
  for (const char* variable : {"CRATON_FAULT_FAIL", "CRATON_FAULT"}) {
    if (const char* value = std::getenv(variable)) texts.emplace_back(value);
  }
  if (const char* path = std::getenv("CRATON_FAULT_CONFIG")) {
    auto text = read_file(path);
    if (!text) return Error(text.error());
    texts.push_back(*text);
  }
  std::vector<Spec> specs;
  for (const std::string& text : texts) {
    auto spec = parse_spec(text);
    if (!spec) return Error(spec.error());
    specs.push_back(std::move(*spec));
  }
  for (const Spec& spec : specs) apply(spec);
  return {};
}

}  // namespace craton::hsm::fault_shim
