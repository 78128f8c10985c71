// SPDX-License-Identifier: Apache-2.0
// Builds and tears down the per-binary SoftHSM2 world.
#include "support/softhsm_token.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

namespace craton::hsm::testing {
namespace fs = std::filesystem;
namespace {

SoftHsmWorld& world() {
  static SoftHsmWorld instance;
  return instance;
}

void init_token(std::string_view label) {
  const CommandResult result = run_command(
      fmt::format("softhsm2-util --init-token --free --label '{}' --so-pin '{}' --pin '{}'", label,
                  kSoPin, kUserPin));
  if (result.exit_code != 0) {
    throw std::runtime_error("softhsm2-util --init-token failed: " + result.output);
  }
}

}  // namespace

const SoftHsmWorld& SoftHsmWorld::get() {
  return world();
}

void SoftHsmWorld::create() {
  SoftHsmWorld& w = world();
  std::string pattern = (fs::temp_directory_path() / "craton-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  w.dir_ = pattern;
  fs::create_directory(w.dir_ / "tokens");
  w.conf_ = w.dir_ / "softhsm2.conf";
  std::ofstream(w.conf_) << fmt::format(
      "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n"
      "slots.removable = false\n",
      (w.dir_ / "tokens").string());
  setenv("SOFTHSM2_CONF", w.conf_.c_str(), 1);
  // craton-hsm reads its config from here when --config is absent; a developer's exported
  // value (scripts/provision-token.sh sets one) must not leak into tests that expect none.
  unsetenv("CRATON_HSM_CONFIG");
  init_token(kTokenLabel);
  init_token(kSpareTokenLabel);
}

void SoftHsmWorld::destroy() {
  std::error_code ignored;
  fs::remove_all(world().dir_, ignored);
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = SoftHsmWorld::get().dir() / fmt::format("tmp-{}", counter.fetch_add(1));
  fs::create_directories(path_);
  fs::permissions(path_, fs::perms::owner_all);
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::permissions(path_, fs::perms::owner_all, ignored);
  fs::remove_all(path_, ignored);
}

fs::path TempDir::write(std::string_view name, std::string_view content, fs::perms perms) const {
  fs::path file = path_ / name;
  std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
  fs::permissions(file, perms);
  return file;
}

CommandResult run_command(const std::string& command_line) {
  const std::string with_stderr = command_line + " 2>&1";
  FILE* pipe = popen(with_stderr.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed");
  std::string output;
  std::array<char, 4096> buffer{};
  while (const std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) {
    output.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace craton::hsm::testing
