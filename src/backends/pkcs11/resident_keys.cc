// SPDX-License-Identifier: Apache-2.0
// Token-resident keys: generation, import, lookup, listing, export and destruction.
#include "backends/pkcs11/passthrough_backend.h"

namespace craton::hsm::pkcs11 {
namespace {
// Work in progress: replaced by the implementation in the next commits.
std::unexpected<HsmError> not_yet() {
  return fail(ErrorCode::FunctionNotSupported, "resident keys are not implemented yet");
}
}  // namespace

Result<Key> Pkcs11PassthroughBackend::generate_resident_key(const ResidentKeySpec&) {
  return not_yet();
}
Result<Key> Pkcs11PassthroughBackend::import_resident_key(const Key&, const ResidentKeySpec&) {
  return not_yet();
}
Result<Key> Pkcs11PassthroughBackend::find_key(const KeyRef&) { return not_yet(); }
Result<std::vector<ResidentKeyInfo>> Pkcs11PassthroughBackend::list_keys() { return not_yet(); }
Result<std::vector<std::uint8_t>> Pkcs11PassthroughBackend::export_public_key(const KeyRef&) {
  return not_yet();
}
Result<void> Pkcs11PassthroughBackend::destroy_key(const KeyRef&) { return not_yet(); }
std::string Pkcs11PassthroughBackend::token_uri() const { return "pkcs11:"; }

}  // namespace craton::hsm::pkcs11
