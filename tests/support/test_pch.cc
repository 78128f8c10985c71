// SPDX-License-Identifier: Apache-2.0
// The translation unit that builds the test suite's precompiled header (tests/CMakeLists.txt,
// craton_test_pch); the binary is never built or run.
