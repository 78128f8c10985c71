// SPDX-License-Identifier: Apache-2.0
// RLIMIT_CORE and PR_SET_DUMPABLE for craton-hsm, with the debugging opt-out.
#include "cli/process_hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

namespace craton::hsm::cli {

Result<void> keep_secrets_out_of_core_dumps() {
  if (const char* allow = std::getenv(kAllowCoreDumpsEnv);
      allow != nullptr && std::string_view(allow) == "1") {
    return {};
  }
  const rlimit none{0, 0};
  if (setrlimit(RLIMIT_CORE, &none) != 0) {
    return fail(ErrorCode::Internal, fmt::format("setrlimit(RLIMIT_CORE, 0) failed: {}",
                                                 std::system_category().message(errno)));
  }
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return fail(ErrorCode::Internal, fmt::format("prctl(PR_SET_DUMPABLE, 0) failed: {}",
                                                 std::system_category().message(errno)));
  }
  return {};
}

}  // namespace craton::hsm::cli
