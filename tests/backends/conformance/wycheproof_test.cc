// SPDX-License-Identifier: Apache-2.0
// Every Wycheproof vector file against every registered backend: per-file counts on stdout,
// ran + skipped == numberOfTests, and no silent pass when the vectors are missing.
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <tuple>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/conformance/backends.h"
#include "backends/conformance/wycheproof_harness.h"
#include "support/matchers.h"

namespace craton::hsm::conformance::wycheproof {
namespace {

using Param = std::tuple<BackendFactory, VectorFile>;

class WycheproofFile : public ::testing::TestWithParam<Param> {};

constexpr std::size_t kFailuresShown = 25;

TEST_P(WycheproofFile, EveryCaseMeetsItsExpectedResult) {
  const auto& [factory, file] = GetParam();
  auto backend = factory.make();
  ASSERT_THAT(backend, testing::IsOk()) << factory.name;

  const FileTally tally = run_vector_file(file, **backend, factory.caps);
  std::cout << summary_line(factory.name, file.file, tally) << std::endl;

  for (std::size_t i = 0; i < tally.failures.size() && i < kFailuresShown; ++i) {
    ADD_FAILURE() << file.file << " on " << factory.name << ": " << tally.failures[i];
  }
  if (tally.failures.size() > kFailuresShown) {
    ADD_FAILURE() << "... and " << tally.failures.size() - kFailuresShown << " more failures";
  }
  EXPECT_GT(tally.number_of_tests, 0U) << "no tests read from " << file.file;
  EXPECT_EQ(tally.judged_total() + tally.skipped_total(), tally.number_of_tests)
      << "ran + skipped must account for every test the file declares";
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  std::string stem(std::get<1>(info.param).file);
  stem = stem.substr(0, stem.find('.'));
  return std::get<0>(info.param).name + "_" + stem;
}

INSTANTIATE_TEST_SUITE_P(Vectors, WycheproofFile,
                         ::testing::Combine(::testing::ValuesIn(wycheproof_backends()),
                                            ::testing::ValuesIn(all_vector_files())),
                         param_name);

// The vectors are part of the contract: missing vectors fail, and a vector file without a
// runner (or a runner without its file) fails too.
TEST(WycheproofDirectory, ExistsAndEveryFileHasARunner) {
  const std::filesystem::path dir = vector_dir();
  ASSERT_TRUE(std::filesystem::is_directory(dir))
      << "Wycheproof vectors not found at " << dir
      << " (CRATON_WYCHEPROOF_DIR); the suite refuses to pass without them";
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") on_disk.insert(entry.path().filename().string());
  }
  std::set<std::string> with_runner;
  for (const VectorFile& file : all_vector_files()) {
    EXPECT_TRUE(with_runner.insert(std::string(file.file)).second)
        << file.file << " has two runners";
  }
  EXPECT_EQ(on_disk, with_runner);
  EXPECT_FALSE(on_disk.empty());
}

}  // namespace
}  // namespace craton::hsm::conformance::wycheproof
