// SPDX-License-Identifier: Apache-2.0
// The throwaway SoftHSM2 world of one test binary: a fresh token directory, a generated
// softhsm2.conf exported as SOFTHSM2_CONF, and two initialised tokens with known PINs.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace craton::hsm::testing {

inline constexpr std::string_view kModulePath = CRATON_SOFTHSM_MODULE;
inline constexpr std::string_view kCliPath = CRATON_CLI_PATH;

inline constexpr std::string_view kTokenLabel = "ci-token";
// A second token for tests that must not disturb the first (wrong PINs, login counters).
inline constexpr std::string_view kSpareTokenLabel = "spare-token";
inline constexpr std::string_view kUserPin = "1234";
inline constexpr std::string_view kSoPin = "12345678";

// Created by the test main before any test runs; removed after the last one.
class SoftHsmWorld {
 public:
  static const SoftHsmWorld& get();

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] const std::filesystem::path& conf() const { return conf_; }

  // Called once by the test main.
  static void create();
  static void destroy();

 private:
  std::filesystem::path dir_;
  std::filesystem::path conf_;
};

// A fresh directory under the world's directory, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  // Writes `content` to `name` inside the directory with the given permission bits.
  std::filesystem::path write(
      std::string_view name, std::string_view content,
      std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                     std::filesystem::perms::owner_write) const;

 private:
  std::filesystem::path path_;
};

// Runs a shell command line; returns its exit status and captured stdout+stderr.
struct CommandResult {
  int exit_code;
  std::string output;
};
CommandResult run_command(const std::string& command_line);

}  // namespace craton::hsm::testing
