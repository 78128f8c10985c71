// SPDX-License-Identifier: Apache-2.0
// Every test binary's main: build the throwaway SoftHSM2 world, run, tear it down.
#include <gtest/gtest.h>

#include "support/softhsm_token.h"

namespace {

class SoftHsmEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { craton::hsm::testing::SoftHsmWorld::create(); }
  void TearDown() override { craton::hsm::testing::SoftHsmWorld::destroy(); }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new SoftHsmEnvironment);  // gtest takes ownership
  return RUN_ALL_TESTS();
}
