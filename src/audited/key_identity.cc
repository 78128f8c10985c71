// SPDX-License-Identifier: Apache-2.0
// The default key identity: the process-wide keyed fingerprint, memoised on the key.
#include "audited/key_identity.h"

#include "keys/fingerprint.h"
#include "keys/key_material.h"

namespace craton::hsm::audited {

const Fingerprint& process_key_fingerprint(const Key& key) {
  // One memo entry per key for the whole process: the value does not depend on the backend.
  static const std::uint64_t owner = next_memo_owner_id();
  const KeyMaterial& material = key.material();
  if (const MemoEntry* memo = material.memo.find(owner)) return memo->fingerprint;
  const Fingerprint fingerprint =
      keys::keyed_fingerprint(material, keys::process_fingerprint_secret());
  return material.memo.insert(owner, fingerprint, nullptr)->fingerprint;
}

}  // namespace craton::hsm::audited
