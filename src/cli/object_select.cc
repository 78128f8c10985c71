// SPDX-License-Identifier: Apache-2.0
// Parsing --key with an optional --handle.
#include "cli/object_select.h"

#include <fmt/format.h>

namespace craton::hsm::cli {

void add_handle_option(CLI::App& command, std::optional<std::uint64_t>& handle) {
  command
      .add_option_function<std::uint64_t>(
          "--handle", [&handle](std::uint64_t value) { handle = value; },
          "the object's handle as `list` printed it, for an object its URI does not name alone; "
          "checked to name an object of exactly the URI's type, label and id")
      ->type_name("N");
}

Result<KeyUri> parse_key_selection(std::string_view text, std::optional<std::uint64_t> handle,
                                   std::string_view option) {
  if (!handle) return parse_key_uri(text, option);
  auto uri = Pkcs11Uri::parse(text);
  if (!uri) {
    return fail(ErrorCode::InvalidArgument, fmt::format("{}: {}", option, uri.error().message()));
  }
  if (!uri->type) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("{}: with --handle the URI must give the object's type= (as list "
                            "printed it)",
                            option));
  }
  KeyUri key;
  if (uri->object || uri->id) {
    // Named in part: the URI gets every check a --key gets.
    CRATON_ASSIGN_OR_RETURN(key, parse_key_uri(text, option));
  } else if (*uri->type == ObjectClass::Certificate || *uri->type == ObjectClass::Data) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("{}: type={} is not a key (use private, public or secret-key)", option,
                            object_class_name(*uri->type)));
  } else {
    key.uri = *uri;
    key.ref.object_class = uri->type;
  }
  key.ref.handle = handle;
  return key;
}

}  // namespace craton::hsm::cli
