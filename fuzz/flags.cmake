# SPDX-License-Identifier: Apache-2.0
# Compiler flags of the fuzz build (CRATON_FUZZ, the `fuzz` preset), set before src/ is added
# so that the library components the harnesses link are instrumented too.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "CRATON_FUZZ needs clang (libFuzzer); use the fuzz preset (clang++-16)")
endif()
# Coverage and sanitizers everywhere; only the harness executables link libFuzzer's main().
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer -g)
add_link_options(-fsanitize=address,undefined)
# libstdc++ 12 declares std::expected only when __cpp_concepts says 202002, which clang 16 does
# not claim yet (its concepts are complete enough for <expected>); scripts/tidy.sh does the
# same. Undefined first: a redefinition would be a warning.
add_compile_options(-U__cpp_concepts -D__cpp_concepts=202002L)
