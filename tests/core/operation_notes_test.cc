// SPDX-License-Identifier: Apache-2.0
// ObservedOperation: notes are current only inside the observed call, only on its thread, and
// an observed call inside another gets its own notes and gives the outer ones back.
#include "core/operation_notes.h"

#include <gtest/gtest.h>

#include <thread>

namespace craton::hsm {
namespace {

TEST(OperationNotesTest, NothingIsObservedOutsideAnObservedCall) {
  EXPECT_EQ(ObservedOperation::current(), nullptr);
  {
    OperationNotes notes;
    const ObservedOperation observed(notes);
    EXPECT_EQ(ObservedOperation::current(), &notes);
  }
  EXPECT_EQ(ObservedOperation::current(), nullptr);
}

TEST(OperationNotesTest, AnInnerObservedCallHasItsOwnNotesAndRestoresTheOuterOnes) {
  OperationNotes outer;
  const ObservedOperation observe_outer(outer);
  ObservedOperation::current()->retries = 1;
  {
    OperationNotes inner;
    const ObservedOperation observe_inner(inner);
    ObservedOperation::current()->software_fallback = true;
    EXPECT_EQ(ObservedOperation::current(), &inner);
  }
  EXPECT_EQ(ObservedOperation::current(), &outer);
  ObservedOperation::current()->session_recovered = true;
  EXPECT_EQ(outer.retries, 1u);
  EXPECT_TRUE(outer.session_recovered);
  EXPECT_FALSE(outer.software_fallback) << "the inner call's note stayed in its own notes";
}

TEST(OperationNotesTest, AnotherThreadDoesNotSeeThisThreadsNotes) {
  OperationNotes notes;
  const ObservedOperation observed(notes);
  OperationNotes* seen = &notes;
  std::thread([&] { seen = ObservedOperation::current(); }).join();
  EXPECT_EQ(seen, nullptr);
}

}  // namespace
}  // namespace craton::hsm
