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

Result<KeyUri> parse_object_selection(std::string_view text, std::optional<std::uint64_t> handle,
                                      std::string_view option) {
  auto uri = Pkcs11Uri::parse(text);
  const bool other =
      uri && (uri->type == ObjectClass::Certificate || uri->type == ObjectClass::Data);
  if (!other) return parse_key_selection(text, handle, option);
  const bool named = (uri->object && !uri->object->empty()) || (uri->id && !uri->id->empty());
  if (!named && !handle) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("{}: the URI names no object (give object=<label> and/or id=<bytes>, "
                            "or --handle)",
                            option));
  }
  KeyUri object;
  object.ref.label = uri->object;
  object.ref.id = uri->id;
  object.ref.object_class = uri->type;
  object.ref.handle = handle;
  object.uri = std::move(*uri);
  return object;
}

}  // namespace craton::hsm::cli
