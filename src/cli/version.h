// SPDX-License-Identifier: Apache-2.0
// What `craton-hsm --version` prints.
#pragma once

#include <string>

namespace craton::hsm::cli {

// "craton-hsm 0.1.0\nlibrary: craton_hsm 0.1.0\nOpenSSL: OpenSSL 3.0.x ...\nbuild type: Debug":
// the library this binary was built with, the OpenSSL it runs on (which may be newer than the
// one it was built against) and how it was compiled.
[[nodiscard]] std::string version_text();

}  // namespace craton::hsm::cli
