// SPDX-License-Identifier: Apache-2.0
// How a failed command reports its error on standard error: one text line, or with --json one
// JSON object (docs/cli-json.md).
#pragma once

#include <craton/hsm/error.h>

#include <span>
#include <string>

#include "cli/json_writer.h"

namespace craton::hsm::cli {

// Whether the command line asks for JSON output: a "--json" argument before any "--". Decided
// from the raw arguments so that errors found while parsing are reported in the same form.
[[nodiscard]] bool json_requested(std::span<char* const> args) noexcept;

// "craton-hsm: error: KeyNotFound: ...\n", or with `json`
// {"error":{"code":"PinIncorrect","ckr":"CKR_PIN_INCORRECT","function":"C_Login","message":"..."}}
// and a newline. "ckr" and "function" are present only when a PKCS#11 call failed ("ckr" is
// the CKR_* name, or "0x..." for a vendor-defined value). The message is the HsmError's, which
// never holds a PIN or key bytes.
[[nodiscard]] std::string render_error(const HsmError& error, bool json);

// The inner object of the above ({"code":...,"message":...}), for output that reports errors
// among results (demo's failed steps).
void write_error_json(JsonWriter& json, const HsmError& error);

}  // namespace craton::hsm::cli
