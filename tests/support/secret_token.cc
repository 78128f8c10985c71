// SPDX-License-Identifier: Apache-2.0
#include "support/secret_token.h"

#include <spawn.h>
#include <sys/wait.h>

#include <gtest/gtest.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

extern char** environ;

namespace craton::hsm::testing {

SecretString random_pin(std::size_t length) {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  SecretBytes chars = SecretBytes::zeroed(length);
  EXPECT_EQ(RAND_bytes(chars.expose_mut().data(), static_cast<int>(chars.size())), 1);
  for (std::uint8_t& c : chars.expose_mut()) {
    c = static_cast<std::uint8_t>(kAlphabet[c % kAlphabet.size()]);
  }
  return SecretString(
      std::string_view(reinterpret_cast<const char*>(chars.expose().data()), chars.size()));
}

void init_token_with_pin(std::string_view label, const SecretString& pin) {
  SecretBytes pin_arg = SecretBytes::zeroed(pin.expose().size() + 1);
  std::copy(pin.expose().begin(), pin.expose().end(), pin_arg.expose_mut().begin());
  std::string label_arg(label);  // not a secret
  std::array<char*, 10> argv{const_cast<char*>("softhsm2-util"),
                             const_cast<char*>("--init-token"),
                             const_cast<char*>("--free"),
                             const_cast<char*>("--label"),
                             label_arg.data(),
                             const_cast<char*>("--so-pin"),
                             const_cast<char*>("12345678"),
                             const_cast<char*>("--pin"),
                             reinterpret_cast<char*>(pin_arg.expose_mut().data()),
                             nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "softhsm2-util failed";
}

}  // namespace craton::hsm::testing
