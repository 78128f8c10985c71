// SPDX-License-Identifier: Apache-2.0
// Rendering an InfoReport as aligned text for people or as one JSON object for scripts.
#pragma once

#include <string>

#include "cli/info_report.h"

namespace craton::hsm::cli {

// Sections: library, tokens (the selected one marked with '*'), then the selected token's
// mechanisms and capabilities (scheme x supported/how, why each unsupported one is, and the
// session-object finding) as tables, or a hint on how to select a token. Ends with a newline.
[[nodiscard]] std::string render_info_text(const InfoReport& report);

// One JSON object with keys "library", "tokens", "selected_slot" (null when none),
// "mechanisms" and "capabilities" (null when no token is selected). Ends with a newline.
[[nodiscard]] std::string render_info_json(const InfoReport& report);

}  // namespace craton::hsm::cli
