// SPDX-License-Identifier: Apache-2.0
// Parsing the suite's flags.
#include "suite_flags.h"

#include <charconv>
#include <cstdlib>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace craton::hsm::bench {
namespace {

template <typename T>
Result<T> parse_number(std::string_view flag, std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return fail(ErrorCode::InvalidArgument, fmt::format("{}: '{}' is not a number", flag, text));
  }
  return value;
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> parts;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    if (comma != 0) parts.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

template <typename T>
Result<std::vector<T>> parse_list(std::string_view flag, std::string_view text) {
  std::vector<T> values;
  for (const std::string& part : split(text)) {
    CRATON_ASSIGN_OR_RETURN(const T value, parse_number<T>(flag, part));
    values.push_back(value);
  }
  return values;
}

}  // namespace

Result<SuiteFlags> take_suite_flags(int& argc, char** argv) {
  SuiteFlags flags;
  // The suite measures everything by default; the CLI leaves both off.
  flags.options.audit = AuditDurability::PerBatch;
  flags.options.with_resident = true;
  flags.options.budget_sqlite = true;
  if (const char* postgres = std::getenv("CRATON_BENCH_POSTGRES"); postgres && *postgres) {
    flags.options.budget_postgres = postgres;
  }
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value_of = [&](std::string_view name) -> std::optional<std::string_view> {
      if (!arg.starts_with(name) || arg.size() <= name.size() || arg[name.size()] != '=') {
        return std::nullopt;
      }
      return arg.substr(name.size() + 1);
    };
    if (arg == "--check") {
      flags.check = true;
    } else if (arg == "--no-software") {
      flags.options.with_software = false;
    } else if (arg == "--no-miss") {
      flags.options.with_misses = false;
    } else if (arg == "--no-audit") {
      flags.options.audit.reset();
    } else if (arg == "--no-resident") {
      flags.options.with_resident = false;
    } else if (arg == "--adaptive") {
      flags.options.adaptive = true;
    } else if (arg == "--no-budget") {
      flags.options.budget_sqlite = false;
      flags.options.budget_postgres.reset();
    } else if (const auto v = value_of("--budget-postgres")) {
      flags.options.budget_postgres = std::string(*v);
    } else if (const auto v = value_of("--audit-durability")) {
      if (*v == "per_record") {
        flags.options.audit = AuditDurability::PerRecord;
      } else if (*v == "per_batch") {
        flags.options.audit = AuditDurability::PerBatch;
      } else if (*v == "none") {
        flags.options.audit = AuditDurability::None;
      } else {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("--audit-durability: '{}' is not per_record, per_batch or none", *v));
      }
    } else if (const auto v = value_of("--json")) {
      flags.json_path = std::string(*v);
    } else if (const auto v = value_of("--cases")) {
      flags.options.case_filters = split(*v);
    } else if (const auto v = value_of("--threads")) {
      CRATON_ASSIGN_OR_RETURN(flags.options.threads, parse_list<unsigned>("--threads", *v));
    } else if (const auto v = value_of("--sizes")) {
      CRATON_ASSIGN_OR_RETURN(flags.options.gcm_sizes, parse_list<std::size_t>("--sizes", *v));
    } else if (const auto v = value_of("--duration-ms")) {
      CRATON_ASSIGN_OR_RETURN(const unsigned ms, parse_number<unsigned>("--duration-ms", *v));
      flags.options.duration = std::chrono::milliseconds(ms);
    } else if (const auto v = value_of("--rounds")) {
      CRATON_ASSIGN_OR_RETURN(flags.options.rounds, parse_number<unsigned>("--rounds", *v));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return flags;
}

}  // namespace craton::hsm::bench
