// SPDX-License-Identifier: Apache-2.0
// CommandAction: how a subcommand hands main() the work to run once parsing has finished.
#pragma once

#include <craton/hsm/error.h>

#include <functional>

namespace craton::hsm::cli {

// Set by the chosen subcommand's parse callback and run by main() after CLI11 is done, so every
// option (global ones may follow the subcommand) has its final value and errors map to one
// exit-code policy in one place.
using CommandAction = std::function<Result<void>()>;

}  // namespace craton::hsm::cli
