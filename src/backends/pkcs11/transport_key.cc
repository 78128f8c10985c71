// SPDX-License-Identifier: Apache-2.0
// TransportKeys: generating the per-session RSA transport pair on the token.
#include "backends/pkcs11/transport_key.h"

#include <fmt/format.h>

#include "backends/pkcs11/object_guard.h"
#include "pkcs11/session/attributes.h"
#include "pkcs11/session/readback.h"

namespace craton::hsm::pkcs11 {
namespace {

constexpr std::uint8_t kF4[] = {0x01, 0x00, 0x01};

// Both halves are session objects. The private half may unwrap and do nothing else, and is
// never readable (PKCS#11 v2.40 §4.9: CKA_SENSITIVE, CKA_EXTRACTABLE); the public half may
// encrypt and wrap (it lives only until its value is read).
void add_pair_attributes(AttributeTemplate& public_tmpl, AttributeTemplate& private_tmpl,
                         bool private_objects) {
  public_tmpl.add_bool(CKA_TOKEN, false)
      .add_ulong(CKA_MODULUS_BITS, TransportKeys::kModulusBits)
      .add_bytes(CKA_PUBLIC_EXPONENT, kF4)
      .add_bool(CKA_ENCRYPT, true)
      .add_bool(CKA_WRAP, true)
      .add_bool(CKA_VERIFY, false);
  private_tmpl.add_bool(CKA_TOKEN, false)
      .add_bool(CKA_PRIVATE, private_objects)
      .add_bool(CKA_SENSITIVE, true)
      .add_bool(CKA_EXTRACTABLE, false)
      .add_bool(CKA_UNWRAP, true)
      .add_bool(CKA_DECRYPT, false)
      .add_bool(CKA_SIGN, false);
}

}  // namespace

Result<Transport> TransportKeys::get(Lease& lease, std::uint64_t generation, bool private_objects) {
  Slot& slot = slots_.at(lease.index());
  const CK_SESSION_HANDLE session = lease.session().handle();
  if (slot.public_key && slot.session == session && slot.generation == generation) {
    return Transport{slot.unwrap_key, &*slot.public_key};
  }
  // A key made under an older session or generation died with its session, or may have: it is
  // forgotten, never destroyed (its handle may name another object now).
  slot = Slot{};
  AttributeTemplate public_tmpl;
  AttributeTemplate private_tmpl;
  add_pair_attributes(public_tmpl, private_tmpl, private_objects);
  CK_MECHANISM mechanism{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE public_handle = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE private_handle = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(lease.call<Fn::GenerateKeyPair>(
      &mechanism, public_tmpl.data(), public_tmpl.size(), private_tmpl.data(), private_tmpl.size(),
      &public_handle, &private_handle));
  generated_.fetch_add(1, std::memory_order_relaxed);
  const ObjectGuard public_guard(lease, public_handle);
  ObjectGuard private_guard(lease, private_handle);
  CRATON_ASSIGN_OR_RETURN(const auto modulus,
                          read_public_attribute(lease, public_handle, CKA_MODULUS));
  CRATON_ASSIGN_OR_RETURN(const auto exponent,
                          read_public_attribute(lease, public_handle, CKA_PUBLIC_EXPONENT));
  CRATON_ASSIGN_OR_RETURN(Key public_key, Key::rsa_public(modulus, exponent));
  if (public_key.bits() != kModulusBits) {
    return fail(ErrorCode::Pkcs11Failure,
                fmt::format("the token made a {}-bit transport key when {} bits were asked",
                            public_key.bits(), kModulusBits));
  }
  slot.session = session;
  slot.generation = generation;
  slot.unwrap_key = private_guard.release();
  slot.public_key = std::move(public_key);
  return Transport{slot.unwrap_key, &*slot.public_key};
}

void TransportKeys::forget(Lease& lease) noexcept {
  slots_.at(lease.index()) = Slot{};
}

}  // namespace craton::hsm::pkcs11
