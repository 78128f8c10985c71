// SPDX-License-Identifier: Apache-2.0
// Import by unwrap: the host wraps, the token unwraps.
#include "backends/pkcs11/unwrap_import.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fmt/format.h>

#include "backends/common/key_wrap_rules.h"
#include "backends/common/openssl_util.h"
#include "backends/pkcs11/object_guard.h"
#include "keys/openssl_ptr.h"
#include "pkcs11/session/input.h"

namespace craton::hsm::pkcs11 {
namespace {

constexpr std::size_t kUnwrapImportKeySize = 32;

bool unwrap_importable(KeyKind kind) {
  return kind == KeyKind::RsaPrivate || kind == KeyKind::EcPrivate ||
         kind == KeyKind::Ed25519Private;
}

// RFC 5649 with OpenSSL (EVP_aes_256_wrap_pad): the host side of the import.
Result<Bytes> wrap_for_unwrap_import(const SecretBytes& kek, const SecretBytes& plaintext) {
  CRATON_ASSIGN_OR_RETURN(const std::size_t size,
                          common::wrapped_size(KeyWrapScheme::AesKwp, plaintext.size()));
  const ossl::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return common::openssl_failure("EVP_CIPHER_CTX_new (import by unwrap)");
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  // A null IV: RFC 5649's default (A65959A6 and the length).
  if (EVP_CipherInit_ex2(ctx.get(), EVP_aes_256_wrap_pad(), kek.expose().data(), nullptr, 1,
                         nullptr) != 1) {
    return common::openssl_failure("EVP_CipherInit_ex2 (import by unwrap)");
  }
  // Wrapping is one update call (PKCS#8 of our keys is a few kilobytes at most).
  Bytes wrapped(size);
  int written = 0;
  if (EVP_EncryptUpdate(ctx.get(), wrapped.data(), &written, plaintext.expose().data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      static_cast<std::size_t>(written) != size) {
    return common::openssl_failure("EVP_EncryptUpdate (import by unwrap)");
  }
  return wrapped;
}

}  // namespace

Result<CK_OBJECT_HANDLE> unwrap_key_object(Lease& lease, const KeyMaterial& material,
                                           const ObjectOptions& options,
                                           const CapabilityTable& table) {
  if (!unwrap_importable(material.kind) || material.evp == nullptr) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("import by unwrap takes a private key, not a {} key",
                            key_kind_name(material.kind)));
  }
  const std::size_t row = wrap_row(KeyWrapScheme::AesKwp, /*unwrap=*/true);
  if (auto usable = table.require(row); !usable) {
    return fail(ErrorCode::MechanismUnsupported,
                fmt::format("importing a {} key by unwrap (the token refuses C_CreateObject of "
                            "private keys): {}",
                            key_kind_name(material.kind), usable.error().message()));
  }
  CRATON_ASSIGN_OR_RETURN(const SecretBytes der, common::pkcs8_der(material.evp));
  SecretBytes one_time = SecretBytes::zeroed(kUnwrapImportKeySize);
  if (RAND_bytes(one_time.expose_mut().data(), static_cast<int>(kUnwrapImportKeySize)) != 1) {
    return common::openssl_failure("RAND_bytes (import by unwrap)");
  }
  CRATON_ASSIGN_OR_RETURN(const Bytes wrapped, wrap_for_unwrap_import(one_time, der));

  // The one-time key: a session object that can unwrap and nothing else, never readable.
  AttributeTemplate kek_tmpl;
  kek_tmpl.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
      .add_ulong(CKA_KEY_TYPE, CKK_AES)
      .add_bool(CKA_TOKEN, false)
      .add_bool(CKA_SENSITIVE, true)
      .add_bool(CKA_EXTRACTABLE, false)
      .add_bool(CKA_PRIVATE, options.private_objects)
      .add_borrowed(CKA_VALUE, one_time.expose());
  add_usage_attributes(kek_tmpl, CKO_SECRET_KEY,
                       [](CK_ATTRIBUTE_TYPE type) { return type == CKA_UNWRAP; });
  CK_OBJECT_HANDLE kek = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(lease.call<Fn::CreateObject>(kek_tmpl.data(), kek_tmpl.size(), &kek));
  const ObjectGuard kek_guard(lease, kek);

  AttributeTemplate tmpl;
  add_unwrap_attributes(tmpl, material, options);
  CK_MECHANISM mechanism{table.at(row).mechanism, nullptr, 0};
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(lease.call<Fn::UnwrapKey>(&mechanism, kek_guard.get(), input_ptr(wrapped),
                                                   input_len(wrapped), tmpl.data(), tmpl.size(),
                                                   &object));
  return object;
}

}  // namespace craton::hsm::pkcs11
