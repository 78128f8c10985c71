// SPDX-License-Identifier: Apache-2.0
// --key plus --handle: naming a token object that no URI names alone (no label and no id, or
// namesakes), as `list` prints it.
#pragma once

#include <craton/hsm/error.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include <CLI/App.hpp>

#include "cli/token_access.h"

namespace craton::hsm::cli {

// Adds `--handle N` to `command`.
void add_handle_option(CLI::App& command, std::optional<std::uint64_t>& handle);

// parse_key_uri without a handle. With one, the URI must carry type= and may lack object= and
// id=: the handle is then checked by the backend (KeyRef::handle) to name a token object of
// exactly that class, label and id. Errors: InvalidArgument, before any token is opened.
[[nodiscard]] Result<KeyUri> parse_key_selection(std::string_view text,
                                                 std::optional<std::uint64_t> handle,
                                                 std::string_view option);

// parse_key_selection, and also certificates and data objects (type=cert, type=data), for
// destroy: their reference has the URI's label, id and class. Errors: InvalidArgument, also
// for a certificate or data URI that names no object (no label, no id, no handle).
[[nodiscard]] Result<KeyUri> parse_object_selection(std::string_view text,
                                                    std::optional<std::uint64_t> handle,
                                                    std::string_view option);

}  // namespace craton::hsm::cli
