// SPDX-License-Identifier: Apache-2.0
// Fingerprints: what identifies a token object across the real module's handle changes, for
// counting the live token objects created through the shim.
#pragma once

#include <optional>
#include <string>

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::fault_shim {

// The public attributes of a token object (class, key type, label, id, check value, public
// values, certificate fields) as one byte string; nullopt for a session object or when the
// module cannot say. SoftHSM2 renumbers token objects once a slot's last session closes (and
// has no CKA_UNIQUE_ID), so handles cannot name them across restarts. Two objects with equal
// public attributes are counted as interchangeable, which keeps the counts right.
std::optional<std::string> token_fingerprint(CK_SESSION_HANDLE real_session,
                                             CK_OBJECT_HANDLE real_object);

}  // namespace craton::hsm::fault_shim
