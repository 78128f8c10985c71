// SPDX-License-Identifier: Apache-2.0
// AES key wrap on the token: RFC 3394 (CKM_AES_KEY_WRAP) and RFC 5649 (CKM_AES_KEY_WRAP_KWP,
// or CKM_AES_KEY_WRAP_PAD where the vendor profile says it is RFC 5649: the capability table).
// PKCS#11 wraps key objects, so the bytes to wrap become a temporary generic secret, and unwrapping
// creates one whose value is read back.
#include <optional>

#include <fmt/format.h>

#include "backends/common/key_checks.h"
#include "backends/common/key_wrap_rules.h"
#include "backends/pkcs11/object_guard.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "pkcs11/session/input.h"
#include "pkcs11/session/output_length.h"
#include "pkcs11/session/readback.h"

namespace craton::hsm::pkcs11 {
namespace {

using common::check_wrapped_length;
using common::wrap_scheme_name;
using common::wrapped_size;

// What both directions check before any token call: an AES KEK, and the scheme's capability
// row for the direction (MechanismUnsupported naming CKM_AES_KEY_WRAP or CKM_AES_KEY_WRAP_KWP
// otherwise). The mechanism to ask: CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_KWP, or
// CKM_AES_KEY_WRAP_PAD where the vendor profile says it is RFC 5649 (docs/vendors.md: it means
// RFC 3394 over PKCS#7 padding on NSS) and, on SoftHSM2, only for a block-multiple `size` to
// wrap. `size`: the bytes to wrap; nullopt when unwrapping.
Result<CK_MECHANISM_TYPE> check_kek(const Key& kek, KeyWrapScheme scheme, bool unwrap,
                                    const CapabilityTable& table, std::optional<std::size_t> size) {
  CRATON_RETURN_IF_ERROR(common::require_kind(kek, {KeyKind::Aes}, wrap_scheme_name(scheme)));
  const std::size_t row = wrap_row(scheme, unwrap);
  CRATON_RETURN_IF_ERROR(table.require(row));
  if (size) CRATON_RETURN_IF_ERROR(table.require_wrap_length(row, *size));
  return table.at(row).mechanism;
}

// Whether an unwrap failure means the blob failed its integrity check. The spec's answer is
// CKR_WRAPPED_KEY_INVALID (or _LEN_RANGE); modules that decrypt first and check afterwards
// answer as for a failed AEAD tag (SoftHSM2: CKR_GENERAL_ERROR), so that classifier applies.
bool is_integrity_failure(CK_RV rv, GeneralErrorReading general_error) noexcept {
  return error_code_for(rv) == ErrorCode::WrappedKeyInvalid ||
         is_aead_tag_failure(rv, general_error);
}

}  // namespace

Result<Bytes> Pkcs11PassthroughBackend::wrap_key(const Key& kek, KeyWrapScheme scheme,
                                                 const SecretBytes& key_to_wrap) {
  const std::size_t size = key_to_wrap.size();
  CRATON_RETURN_IF_ERROR(check_input_size(size, "key to wrap"));
  CRATON_ASSIGN_OR_RETURN(const CK_MECHANISM_TYPE mechanism_type,
                          check_kek(kek, scheme, /*unwrap=*/false, capabilities_.table(), size));
  CRATON_ASSIGN_OR_RETURN(const std::size_t expected, wrapped_size(scheme, size));
  // The key to wrap goes in as an object (C_WrapKey wraps objects), whatever the KEK is.
  CRATON_RETURN_IF_ERROR(capabilities_.require_session_objects(
      fmt::format("{} wrap (C_WrapKey needs the key to wrap as an object)",
                  wrap_scheme_name(scheme)),
      "wrap on a token that keeps session objects"));
  return with_key<Bytes>(
      kek, KeyUsage::Wrap, [&](Lease& lease, CK_OBJECT_HANDLE kek_object) -> Result<Bytes> {
        // The secret goes in by reference to the caller's SecretBytes, never copied; sensitive, so
        // nobody reads it back, but extractable, or C_WrapKey would refuse it.
        AttributeTemplate tmpl;
        tmpl.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
            .add_ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
            .add_bool(CKA_TOKEN, false)
            .add_bool(CKA_SENSITIVE, true)
            .add_bool(CKA_EXTRACTABLE, true)
            .add_bool(CKA_PRIVATE, pool_->logs_in())
            .add_borrowed(CKA_VALUE, key_to_wrap.expose());
        CK_OBJECT_HANDLE created = CK_INVALID_HANDLE;
        CRATON_RETURN_IF_ERROR(lease.call<Fn::CreateObject>(tmpl.data(), tmpl.size(), &created));
        const ObjectGuard target(lease, created);

        CK_MECHANISM mechanism{mechanism_type, nullptr, 0};  // null IV: the RFC default
        Bytes wrapped(expected);
        CK_ULONG length = wrapped.size();
        CRATON_RETURN_IF_ERROR(
            lease.call<Fn::WrapKey>(&mechanism, kek_object, target.get(), wrapped.data(), &length));
        CRATON_RETURN_IF_ERROR(
            output_length(Fn::WrapKey, length, wrapped.size(), ExpectedLength::exactly(expected)));
        return wrapped;
      });
}

Result<SecretBytes> Pkcs11PassthroughBackend::unwrap_key(const Key& kek, KeyWrapScheme scheme,
                                                         ByteView wrapped) {
  CRATON_RETURN_IF_ERROR(check_input_size(wrapped.size(), "wrapped key"));
  CRATON_ASSIGN_OR_RETURN(
      const CK_MECHANISM_TYPE mechanism_type,
      check_kek(kek, scheme, /*unwrap=*/true, capabilities_.table(), std::nullopt));
  CRATON_RETURN_IF_ERROR(check_wrapped_length(scheme, wrapped.size()));
  // The unwrapped key comes out of C_UnwrapKey as an object, whatever the KEK is.
  CRATON_RETURN_IF_ERROR(capabilities_.require_session_objects(
      fmt::format("{} unwrap (C_UnwrapKey makes the key an object to read back)",
                  wrap_scheme_name(scheme)),
      "unwrap on a token that keeps session objects"));
  return with_key<SecretBytes>(
      kek, KeyUsage::Wrap, [&](Lease& lease, CK_OBJECT_HANDLE kek_object) -> Result<SecretBytes> {
        AttributeTemplate tmpl;
        add_readable_secret(tmpl, pool_->logs_in());
        CK_MECHANISM mechanism{mechanism_type, nullptr, 0};
        CK_OBJECT_HANDLE unwrapped = CK_INVALID_HANDLE;
        const auto classify = [&](CK_RV rv, HsmError mapped) {
          if (is_integrity_failure(rv, capabilities_.general_error_reading())) {
            return fail(ErrorCode::WrappedKeyInvalid,
                        fmt::format("{} integrity check failed", wrap_scheme_name(scheme)));
          }
          return std::unexpected(std::move(mapped));
        };
        CRATON_RETURN_IF_ERROR(lease.call_classified<Fn::UnwrapKey>(
            classify, &mechanism, kek_object, input_ptr(wrapped), input_len(wrapped), tmpl.data(),
            tmpl.size(), &unwrapped));
        const ObjectGuard guard(lease, unwrapped);
        CRATON_ASSIGN_OR_RETURN(SecretBytes key,
                                read_secret_attribute(lease, guard.get(), CKA_VALUE));
        if (key.empty() || key.size() > wrapped.size() - common::kWrapSemiblock) {
          return fail(ErrorCode::Pkcs11Failure,
                      fmt::format("C_UnwrapKey produced a {}-byte key from {} bytes", key.size(),
                                  wrapped.size()));
        }
        return key;
      });
}

}  // namespace craton::hsm::pkcs11
