// SPDX-License-Identifier: Apache-2.0
// The key object of --json output, one vocabulary for every command that describes a key
// (keygen, list): docs/cli-json.md.
#pragma once

#include <craton/hsm/keys.h>
#include <craton/hsm/resident_keys.h>

#include <functional>
#include <optional>
#include <string>

#include "cli/json_writer.h"

namespace craton::hsm::cli {

// "EC P-256", "RSA", "AES": the family, with the curve where it matters.
[[nodiscard]] std::string key_type_text(KeyKind kind, const std::optional<EcCurve>& curve);

// One key object: label, id (hex), class, type, bits, usage (array), local, extractable,
// sensitive, unique_id (null when unknown), uri, handle (null when unknown) and needs_handle.
// `extra` writes further fields into the object before it is closed (list's attributes).
void write_key_json(JsonWriter& json, const ResidentKeyInfo& info,
                    const std::function<void()>& extra = {});

// One certificate or data object: label, id, class, type (certificates) or application (data),
// bytes, uri, handle and needs_handle; `extra` as for write_key_json.
void write_other_object_json(JsonWriter& json, const TokenObjectInfo& object,
                             const std::function<void()>& extra = {});

// What keygen knows about the key it made, as list reads it from the token: the private or
// secret object (with that object's share of a pair's usages), generated on the token (local)
// and sensitive; unique_id unknown (not read back).
[[nodiscard]] ResidentKeyInfo generated_key_info(const ResidentKeySpec& spec, const Key& key);

}  // namespace craton::hsm::cli
