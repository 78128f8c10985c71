// SPDX-License-Identifier: Apache-2.0
// Long-lived secrets (PINs in SecretString, key material in KeySecretBytes) live in pages the
// kernel leaves out of core dumps (MADV_DONTDUMP: "dd" in /proc/self/smaps), are wiped before
// their memory is reused, and survive threads and fork; per-operation SecretBytes stay on the
// ordinary heap (no madvise on the hot path).
#include <craton/hsm/secret.h>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "support/core_dump_pages.h"

namespace craton::hsm {
namespace {

using testing::excluded_from_core_dumps;
using testing::vm_flags_of;

TEST(SecretPages, PinsLiveInPagesLeftOutOfCoreDumps) {
  const SecretString pin("Zq7-SECRET-pin-481");
  EXPECT_TRUE(excluded_from_core_dumps(pin.expose().data()))
      << vm_flags_of(pin.expose().data()).value_or("?");
  const SecretString copy = pin.clone();
  EXPECT_TRUE(excluded_from_core_dumps(copy.expose().data()));
}

TEST(SecretPages, KeySecretBytesOfEverySizeLiveThere) {
  for (const std::size_t size : {1u, 16u, 32u, 100u, 2400u, 4096u, 5000u, 70000u}) {
    const KeySecretBytes secret(std::vector<std::uint8_t>(size, 0x5a));
    EXPECT_TRUE(excluded_from_core_dumps(secret.expose().data())) << size;
    EXPECT_TRUE(excluded_from_core_dumps(secret.expose().data() + size - 1)) << size;
  }
}

// The design choice: per-operation results (decrypted plaintext, unwrapped keys) stay on the
// ordinary heap, so the hot path never waits on the secret-page allocator.
TEST(SecretPages, PerOperationSecretBytesStayOnTheHeap) {
  const SecretBytes result(std::vector<std::uint8_t>(64, 1));
  EXPECT_FALSE(excluded_from_core_dumps(result.expose().data()));
}

TEST(SecretPages, AFreedBlockIsWipedBeforeItIsHandedOutAgain) {
  const std::uint8_t* first = nullptr;
  {
    const SecretString pin("a PIN that must not linger");
    first = reinterpret_cast<const std::uint8_t*>(pin.expose().data());
  }
  // The same size class again: served from the freed block (the allocator reuses the most
  // recently freed one), which must hold zeros and nothing of the PIN.
  auto* again = static_cast<std::uint8_t*>(allocate_dontdump(26));
  EXPECT_EQ(again, first);
  EXPECT_TRUE(std::all_of(again, again + 26, [](std::uint8_t b) { return b == 0; }));
  deallocate_dontdump(again, 26);
}

TEST(SecretPages, ManyThreadsAllocateAndFreeAtOnce) {
  std::vector<std::jthread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t] {
      std::vector<KeySecretBytes> held;
      for (int i = 0; i < 2000; ++i) {
        const auto fill = static_cast<std::uint8_t>(t * 31 + i);
        held.emplace_back(std::vector<std::uint8_t>(1 + (i * 7 + t) % 600, fill));
        if (held.size() > 50) held.erase(held.begin(), held.begin() + 25);
        const KeySecretBytes& last = held.back();
        ASSERT_TRUE(std::all_of(last.expose().begin(), last.expose().end(),
                                [fill](std::uint8_t b) { return b == fill; }));
      }
    });
  }
}

TEST(SecretPages, AChildProcessCanAllocateAfterFork) {
  const SecretString before("held across fork");
  const pid_t pid = fork();
  if (pid == 0) {
    const SecretString in_child("made in the child");
    _exit(in_child.expose() == "made in the child" && before.expose() == "held across fork" ? 0
                                                                                            : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace craton::hsm
