// SPDX-License-Identifier: Apache-2.0
// The two grammars of libpq connection strings (libpq §34.1.1), as far as passwords go.
#include "config/conninfo_text.h"

#include <algorithm>
#include <cctype>

#include "core/hex.h"

namespace craton::hsm::config {
namespace {

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return out;
}

// %XX decoded; a malformed escape is kept as it is (libpq would refuse it anyway).
std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const auto high = hex_digit_value(text[i + 1]);
      const auto low = hex_digit_value(text[i + 2]);
      if (high && low) {
        out += static_cast<char>(*high << 4 | *low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// keyword = value pairs; values are unquoted (up to white space, backslash escapes) or
// single-quoted (backslash escapes).
std::optional<std::vector<TextSpan>> keyword_value_spans(std::string_view url) {
  std::vector<TextSpan> spans;
  std::size_t i = 0;
  const auto skip_spaces = [&] {
    while (i < url.size() && is_space(url[i])) ++i;
  };
  while (true) {
    skip_spaces();
    if (i == url.size()) return spans;
    const std::size_t keyword_start = i;
    while (i < url.size() && url[i] != '=' && !is_space(url[i])) ++i;
    const std::string_view keyword = url.substr(keyword_start, i - keyword_start);
    skip_spaces();
    if (i == url.size() || url[i] != '=' || keyword.empty()) return std::nullopt;
    ++i;
    skip_spaces();
    const std::size_t value_start = i;
    if (i < url.size() && url[i] == '\'') {
      ++i;
      while (i < url.size() && url[i] != '\'') i += url[i] == '\\' ? 2 : 1;
      if (i >= url.size()) return std::nullopt;  // unterminated quote
      ++i;
    } else {
      while (i < url.size() && !is_space(url[i])) i += url[i] == '\\' ? 2 : 1;
      i = std::min(i, url.size());
    }
    if (keyword == "password") spans.push_back({value_start, i - value_start});
  }
}

std::vector<TextSpan> uri_spans(std::string_view url, std::size_t scheme_end) {
  std::vector<TextSpan> spans;
  const std::size_t authority_start = scheme_end;
  const std::size_t authority_end = std::min(url.find_first_of("/?", authority_start), url.size());
  const std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view user_info = authority.substr(0, at);
    if (const std::size_t colon = user_info.find(':'); colon != std::string_view::npos) {
      spans.push_back({authority_start + colon + 1, at - colon - 1});
    }
  }
  std::size_t query = url.find('?', authority_end);
  if (query == std::string_view::npos) return spans;
  std::size_t start = query + 1;
  while (start <= url.size()) {
    const std::size_t end = std::min(url.find('&', start), url.size());
    const std::string_view parameter = url.substr(start, end - start);
    const std::size_t equals = parameter.find('=');
    if (lower(percent_decode(parameter.substr(0, equals))) == "password") {
      const std::size_t value = equals == std::string_view::npos ? end : start + equals + 1;
      spans.push_back({value, end - value});
    }
    start = end + 1;
  }
  return spans;
}

}  // namespace

std::optional<std::vector<TextSpan>> conninfo_password_spans(std::string_view url) {
  for (const std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (url.starts_with(scheme)) return uri_spans(url, scheme.size());
  }
  return keyword_value_spans(url);
}

std::string redact_conninfo(std::string_view url) {
  const auto spans = conninfo_password_spans(url);
  if (!spans) return "<redacted: unparsable connection string>";
  std::string out;
  std::size_t copied = 0;
  for (const TextSpan& span : *spans) {
    out.append(url.substr(copied, span.offset - copied));
    out.append("<redacted>");
    copied = span.offset + span.length;
  }
  out.append(url.substr(copied));
  return out;
}

}  // namespace craton::hsm::config
