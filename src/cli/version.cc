// SPDX-License-Identifier: Apache-2.0
// version_text: the versions baked in at build time and the OpenSSL found at run time.
#include "cli/version.h"

#include <openssl/crypto.h>

#include <fmt/format.h>

// Set for this file only by src/cli/CMakeLists.txt.
#ifndef CRATON_HSM_VERSION
#error "CRATON_HSM_VERSION must be defined by the build"
#endif
#ifndef CRATON_BUILD_TYPE
#error "CRATON_BUILD_TYPE must be defined by the build"
#endif

namespace craton::hsm::cli {

std::string version_text() {
  const std::string_view build_type = CRATON_BUILD_TYPE;
  return fmt::format(
      "craton-hsm {0}\nlibrary: craton_hsm {0} (linked in)\nOpenSSL: {1} (built against {2})\n"
      "build type: {3}",
      CRATON_HSM_VERSION, OpenSSL_version(OPENSSL_VERSION), OPENSSL_VERSION_TEXT,
      build_type.empty() ? "none (CMAKE_BUILD_TYPE unset)" : build_type);
}

}  // namespace craton::hsm::cli
