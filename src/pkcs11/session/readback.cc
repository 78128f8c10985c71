// SPDX-License-Identifier: Apache-2.0
// Reading attribute values of temporary session objects back to the host.
#include "pkcs11/session/readback.h"

namespace craton::hsm::pkcs11 {

void add_readable_secret(AttributeTemplate& tmpl, bool private_objects) {
  tmpl.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
      .add_ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
      .add_bool(CKA_TOKEN, false)
      .add_bool(CKA_SENSITIVE, false)
      .add_bool(CKA_EXTRACTABLE, true)
      .add_bool(CKA_PRIVATE, private_objects);
}

}  // namespace craton::hsm::pkcs11
