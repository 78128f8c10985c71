// SPDX-License-Identifier: Apache-2.0
// describe_parse_error: CLI11's failures reworded from option and command names only.
#include "cli/parse_errors.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "config/suggest.h"

namespace craton::hsm::cli {
namespace {

constexpr std::string_view kNotRepeated =
    "not repeated here, in case it was a PIN typed in the wrong place";

struct KnownOption {
  std::string name;  // "--module", "-h"
  bool takes_value = false;
};

// What the parser knows: every option of `app` and of its subcommands (global options may
// follow the subcommand), and every subcommand's name.
struct Vocabulary {
  std::vector<KnownOption> options;
  std::vector<std::string> subcommands;  // every level: "info", "audit", "verify"

  [[nodiscard]] const KnownOption* find(std::string_view name) const {
    const auto found = std::ranges::find(options, name, &KnownOption::name);
    return found == options.end() ? nullptr : &*found;
  }
  [[nodiscard]] bool is_command(std::string_view word) const {
    return std::ranges::find(subcommands, word) != subcommands.end();
  }
};

void collect_options(const CLI::App& app, Vocabulary& vocabulary) {
  for (const CLI::Option* option : app.get_options()) {
    const bool takes_value = option->get_type_size_max() > 0;
    for (const std::string& name : option->get_lnames()) {
      vocabulary.options.push_back({"--" + name, takes_value});
    }
    for (const std::string& name : option->get_snames()) {
      vocabulary.options.push_back({"-" + name, takes_value});
    }
  }
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    vocabulary.subcommands.push_back(command->get_name());
    collect_options(*command, vocabulary);
  }
}

Vocabulary vocabulary_of(const CLI::App& app) {
  Vocabulary vocabulary;
  collect_options(app, vocabulary);
  return vocabulary;
}

// The command line split the way the parser sees it, keeping names only.
struct Scan {
  std::vector<std::string> unknown_options;  // "--bogus" (never the "=value")
  std::vector<std::string_view> words;       // arguments that are neither options nor values
  std::vector<std::string_view> values;      // everything an error must not repeat
};

bool looks_like_number(std::string_view text) {
  return text.size() > 1 && text[0] == '-' && std::all_of(text.begin() + 1, text.end(), [](char c) {
           return (c >= '0' && c <= '9') || c == '.';
         });
}

Scan scan(std::span<char* const> args, const Vocabulary& vocabulary) {
  Scan result;
  bool value_expected = false;
  bool positional_only = false;
  for (const char* arg : args) {
    const std::string_view text(arg);
    if (value_expected) {
      result.values.push_back(text);
      value_expected = false;
      continue;
    }
    if (text == "--" && !positional_only) {
      positional_only = true;
      continue;
    }
    if (positional_only || text == "-" || !text.starts_with('-') || looks_like_number(text)) {
      result.words.push_back(text);
      // A word may be a PIN until it is shown to be a command.
      if (!vocabulary.is_command(text)) result.values.push_back(text);
      continue;
    }
    const std::size_t equals = text.find('=');
    // A single-dash option may carry its value attached ("-p1234"): its name is two characters.
    const std::string_view name =
        text.starts_with("--") ? text.substr(0, equals) : text.substr(0, 2);
    if (name.size() < text.size()) result.values.push_back(text.substr(name.size()));
    const KnownOption* known = vocabulary.find(name);
    if (known == nullptr) {
      result.unknown_options.emplace_back(name);
      continue;
    }
    value_expected = known->takes_value && equals == std::string_view::npos;
  }
  return result;
}

std::string unknown_option(const std::string& name, const Vocabulary& vocabulary) {
  // Compared without the dashes, so "--pim" is not two edits from "--id" (the dashes would make
  // it look closer than it is).
  std::vector<std::string_view> long_names;
  for (const KnownOption& option : vocabulary.options) {
    if (option.name.starts_with("--"))
      long_names.push_back(std::string_view(option.name).substr(2));
  }
  const std::optional<std::string_view> near =
      name.starts_with("--") ? config::closest_match(std::string_view(name).substr(2), long_names)
                             : std::nullopt;
  return near ? fmt::format("unknown option {}; did you mean --{}?", name, *near)
              : fmt::format("unknown option {}", name);
}

// The deepest command chosen so far ("audit" in "audit verfy"), or `app` itself.
const CLI::App& chosen_level(const CLI::App& app) {
  const CLI::App* level = &app;
  while (!level->get_subcommands().empty()) level = level->get_subcommands().front();
  return *level;
}

// A command (or, under `level`, a subcommand) that is missing or mistyped. The first word that
// names no chosen command is what was typed in its place.
std::string missing_command(const CLI::App& level, const Scan& scan) {
  std::vector<std::string> names;
  for (const CLI::App* command : level.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(command->get_name());
  }
  const std::string list = fmt::format("{}", fmt::join(names, ", "));
  const auto typed = std::ranges::find_if(scan.words, [&](std::string_view word) {
    for (const CLI::App* chosen = &level; chosen != nullptr; chosen = chosen->get_parent()) {
      if (chosen->get_name() == word) return false;
    }
    return true;
  });
  if (typed == scan.words.end()) return fmt::format("a command is required: {}", list);
  const std::vector<std::string_view> candidates(names.begin(), names.end());
  if (const auto near = config::closest_match(*typed, candidates)) {
    return fmt::format("unknown command '{}'; did you mean '{}'?", *typed, *near);
  }
  return fmt::format("unknown command (the word is {}); the commands are: {}", kNotRepeated, list);
}

// The longest option name that `text` mentions, for errors about an option's value.
std::optional<std::string> option_named_in(std::string_view text, const Vocabulary& vocabulary) {
  std::optional<std::string> best;
  for (const KnownOption& option : vocabulary.options) {
    if (text.find(option.name) == std::string_view::npos) continue;
    if (!best || option.name.size() > best->size()) best = option.name;
  }
  return best;
}

// Whether CLI11's text repeats any value from the command line, compared word by word.
bool repeats_a_value(std::string_view text, const Scan& scan) {
  constexpr std::string_view kSeparators = " \t,:;'\"=[](){}";
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find_first_of(kSeparators, start), text.size());
    const std::string_view word = text.substr(start, end - start);
    if (!word.empty() && std::ranges::find(scan.values, word) != scan.values.end()) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::string describe_parse_error(const CLI::ParseError& error, const CLI::App& app,
                                 std::span<char* const> args) {
  const Vocabulary vocabulary = vocabulary_of(app);
  const Scan found = scan(args, vocabulary);
  if (!found.unknown_options.empty()) {
    return unknown_option(found.unknown_options.front(), vocabulary);
  }
  const CLI::App& level = chosen_level(app);
  const bool has_subcommands = !level.get_subcommands([](const CLI::App*) { return true; }).empty();
  if (has_subcommands && (&level == &app || dynamic_cast<const CLI::RequiredError*>(&error))) {
    return missing_command(level, found);
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    return fmt::format("unexpected argument (its value is {})", kNotRepeated);
  }
  if (dynamic_cast<const CLI::ConversionError*>(&error) != nullptr ||
      dynamic_cast<const CLI::ValidationError*>(&error) != nullptr) {
    const std::optional<std::string> option = option_named_in(error.what(), vocabulary);
    return fmt::format("{}: invalid value ({})", option.value_or("an option"), kNotRepeated);
  }
  const std::string_view text = error.what();
  if (repeats_a_value(text, found)) {
    return fmt::format(
        "the command line is not valid (CLI11's message would repeat a value, "
        "which is {})",
        kNotRepeated);
  }
  return std::string(text);
}

}  // namespace craton::hsm::cli
