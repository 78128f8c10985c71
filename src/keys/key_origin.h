// SPDX-License-Identifier: Apache-2.0
// For backends that generate keys: the same material, marked with where it came from.
#pragma once

#include <craton/hsm/keys.h>

namespace craton::hsm::keys {

[[nodiscard]] Key with_origin(const Key& key, KeyOrigin origin);

}  // namespace craton::hsm::keys
