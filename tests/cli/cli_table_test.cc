// SPDX-License-Identifier: Apache-2.0
// What tables print when token strings are hostile: control characters and ill-formed UTF-8 in
// a label become visible escapes, so a label can neither drive the terminal nor split a row.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <craton/hsm/pkcs11_backend.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "cli/table.h"
#include "support/softhsm_config.h"
#include "support/softhsm_token.h"

namespace craton::hsm::cli {
namespace {

using ::craton::hsm::testing::line_count;
using ::testing::HasSubstr;
using ::testing::Not;

// ESC [2J clears the screen; the newline would start a fake row; FF FE is never UTF-8.
const std::string kHostileLabel = "evil\x1b[2J\nfake-row\xff\xfe-end";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(TerminalSafe, KeepsPrintableTextAndValidUtf8AsItIs) {
  for (const std::string text :
       {"release-signing", "J\xC3\xBCrgen \xE2\x82\xAC \xF0\x9F\x94\x91", "a b/c:d", ""}) {
    EXPECT_EQ(terminal_safe(text), text);
  }
}

TEST(TerminalSafe, EscapesControlCharactersDelC1AndTheBackslash) {
  EXPECT_EQ(terminal_safe("a\nb\rc\td"), R"(a\nb\rc\td)");
  EXPECT_EQ(terminal_safe("\x1b[2J"), R"(\x1b[2J)");
  EXPECT_EQ(terminal_safe(std::string("nul\0!", 5)), R"(nul\x00!)");
  EXPECT_EQ(terminal_safe("\x7f"), R"(\x7f)");
  EXPECT_EQ(terminal_safe("\xC2\x9B"
                          "31m"),
            R"(\u009b31m)");  // U+009B, the C1 CSI
  EXPECT_EQ(terminal_safe("\xC2\x85"), R"(\u0085)");
  EXPECT_EQ(terminal_safe(R"(C:\keys)"), R"(C:\\keys)");  // so an escape cannot be forged
  // Bidirectional overrides and isolates reorder what follows them on screen.
  EXPECT_EQ(terminal_safe("abc\xE2\x80\xAE"
                          "fed"),
            R"(abc\u202efed)");
  EXPECT_EQ(terminal_safe("\xE2\x81\xA6x"), R"(\u2066x)");
}

TEST(TerminalSafe, EscapesEveryByteOfIllFormedUtf8) {
  EXPECT_EQ(terminal_safe("\xff\xfe"), R"(\xff\xfe)");
  EXPECT_EQ(terminal_safe("a\xC3"), R"(a\xc3)");                // truncated
  EXPECT_EQ(terminal_safe("\xC0\xAF"), R"(\xc0\xaf)");          // overlong '/'
  EXPECT_EQ(terminal_safe("\xED\xA0\x80"), R"(\xed\xa0\x80)");  // a surrogate
  EXPECT_EQ(terminal_safe("\x9b"), R"(\x9b)");                  // a raw 8-bit CSI
}

TEST(Table, EscapesCellsSoEveryRowStaysOneLine) {
  Table table({{"LABEL"}, {"CLASS"}});
  table.add_row({kHostileLabel, "secret"});
  table.add_row({"plain", "private"});
  const std::string out = table.render();
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\xff'), std::string::npos) << out;
  ASSERT_EQ(line_count(out), 3u) << out;
  const std::vector<std::string> lines = lines_of(out);
  EXPECT_EQ(lines[1], R"(evil\x1b[2J\nfake-row\xff\xfe-end  secret)");
  // The escaped text is what the columns are aligned to.
  EXPECT_EQ(lines[2].find("private"), lines[1].find("secret"));
}

TEST(Table, HeadersAreEscapedToo) {
  Table table({{"A\tB"}});
  table.add_row({"x"});
  EXPECT_EQ(table.render(), "A\\tB\nx\n");
}

// The issue's reproduction: a key whose label carries an ESC sequence, a newline and invalid
// UTF-8 (made through the public API, as any PKCS#11 tool could) is one escaped row in `list`.
TEST(CliListTable, AHostileLabelIsOneEscapedRow) {
  auto token = make_pkcs11_backend(testing::softhsm_config());
  ASSERT_TRUE(token) << token.error();
  ResidentKeySpec spec;
  spec.algorithm = KeyAlgorithm::Aes256;
  spec.label = kHostileLabel;
  spec.id = {0xe5, 0xc0};
  ASSERT_TRUE((*token)->generate_resident_key(spec)) << "generate_resident_key";
  token->reset();

  const testing::CommandResult list = testing::run_on_token("list");
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_EQ(list.output.find('\x1b'), std::string::npos) << "a raw ESC reached the terminal";
  EXPECT_EQ(list.output.find('\xff'), std::string::npos);
  const std::vector<std::string> lines = lines_of(list.output);
  const auto row =
      std::ranges::find_if(lines, [](const std::string& line) { return line.starts_with("evil"); });
  ASSERT_NE(row, lines.end()) << list.output;
  EXPECT_THAT(*row, HasSubstr(R"(evil\x1b[2J\nfake-row\xff\xfe-end)"));
  EXPECT_THAT(*row, HasSubstr("e5c0"));  // the ID column: the row was not split
  EXPECT_THAT(*row, HasSubstr("secret"));
  EXPECT_THAT(list.output, Not(HasSubstr("\nfake-row")));
}

}  // namespace
}  // namespace craton::hsm::cli
