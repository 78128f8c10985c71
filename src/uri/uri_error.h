// SPDX-License-Identifier: Apache-2.0
// The one shape of a URI parse error: what is wrong, where, and never the offending value.
#pragma once

#include <craton/hsm/error.h>

#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace craton::hsm::uri {

// InvalidArgument "PKCS#11 URI: <subject> at position <position>: <problem>", where position
// is 1-based. Values are never quoted: a PIN pasted into the wrong attribute stays out of logs.
[[nodiscard]] inline std::unexpected<HsmError> uri_error(std::string_view subject,
                                                         std::size_t position,
                                                         std::string_view problem) {
  return fail(ErrorCode::InvalidArgument,
              fmt::format("PKCS#11 URI: {} at position {}: {}", subject, position, problem));
}

}  // namespace craton::hsm::uri
