// SPDX-License-Identifier: Apache-2.0
// Import by unwrap: a token-made transport key, a one-time AES key, the host wraps, the token
// unwraps.
#include "backends/pkcs11/unwrap_import.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <fmt/format.h>

#include "backends/common/key_wrap_rules.h"
#include "backends/common/openssl_util.h"
#include "backends/pkcs11/object_guard.h"
#include "keys/openssl_ptr.h"
#include "pkcs11/session/input.h"

namespace craton::hsm::pkcs11 {
namespace {

constexpr std::size_t kOneTimeKeySize = 32;

// How this token takes the pieces: the OAEP hash and the AES unwrap mechanism for `material`.
struct UnwrapPlan {
  bool oaep_sha256 = false;
  KeyWrapScheme scheme = KeyWrapScheme::AesKwp;
  CK_MECHANISM_TYPE aes_mechanism = CK_UNAVAILABLE_INFORMATION;
};

std::string token_name(const Capabilities& capabilities) {
  return fmt::format("token '{}' ({})", capabilities.table().facts().token_label,
                     capabilities.library_manufacturer());
}

// Everything checked before any token call.
Result<UnwrapPlan> plan_for(const Capabilities& capabilities, const KeyMaterial& material,
                            std::size_t plaintext_size) {
  const auto refuse = [&](std::string_view why) {
    return fail(ErrorCode::MechanismUnsupported,
                fmt::format("importing a {} key by unwrap on {}: {}", key_kind_name(material.kind),
                            token_name(capabilities), why));
  };
  if (!capabilities.keeps_session_objects()) {
    CRATON_RETURN_IF_ERROR(capabilities.require_session_objects(
        fmt::format("importing a {} key by unwrap (its transport and one-time keys are session "
                    "objects)",
                    key_kind_name(material.kind)),
        "use import_method = \"create\" or keys generated on the token"));
  }
  // The capability table's RSA-3072 generation row: the mechanism, its flag and its key sizes.
  if (auto keygen = capabilities.table().require(keygen_row(KeyAlgorithm::Rsa3072)); !keygen) {
    return refuse(fmt::format("it cannot generate the RSA-3072 transport key ({})",
                              keygen.error().message()));
  }
  if (!capabilities.has(CKM_RSA_PKCS_OAEP, CKF_UNWRAP)) {
    return refuse("it cannot unwrap the one-time key (no CKM_RSA_PKCS_OAEP with CKF_UNWRAP)");
  }
  UnwrapPlan plan;
  // OAEP-SHA-256 where the token does it correctly (the capability table's row, which the
  // vendor profile's oaep_sha1_only clears), else OAEP-SHA-1: docs/import-by-unwrap.md says why
  // that is sound for key transport and no downgrade of any caller's operation.
  plan.oaep_sha256 = capabilities.table().at(oaep_row(HashAlg::Sha256, /*decrypt=*/true)).how !=
                         CapabilityHow::Unsupported &&
                     !capabilities.vendor_profile().quirks.oaep_sha1_only;
  const std::size_t kwp = wrap_row(KeyWrapScheme::AesKwp, /*unwrap=*/true);
  const std::size_t kw = wrap_row(KeyWrapScheme::AesKw, /*unwrap=*/true);
  const bool secret = material.kind == KeyKind::Aes || material.kind == KeyKind::Hmac;
  if (capabilities.table().require(kwp)) {
    plan.scheme = KeyWrapScheme::AesKwp;
    plan.aes_mechanism = capabilities.table().at(kwp).mechanism;
  } else if (secret && plaintext_size % 8 == 0 && plaintext_size >= 16 &&
             capabilities.table().require(kw)) {
    plan.scheme = KeyWrapScheme::AesKw;
    plan.aes_mechanism = capabilities.table().at(kw).mechanism;
  } else {
    return refuse(fmt::format("it has no RFC 5649 unwrap{} ({})",
                              secret ? " and no RFC 3394 unwrap for this key's length" : "",
                              capabilities.table().require(kwp).error().message()));
  }
  return plan;
}

// RFC 5649 (EVP_aes_256_wrap_pad) or RFC 3394 (EVP_aes_256_wrap) with OpenSSL, default IVs.
Result<Bytes> host_wrap(KeyWrapScheme scheme, const SecretBytes& kek,
                        const SecretBytes& plaintext) {
  CRATON_ASSIGN_OR_RETURN(const std::size_t size, common::wrapped_size(scheme, plaintext.size()));
  const ossl::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return common::openssl_failure("EVP_CIPHER_CTX_new (import by unwrap)");
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  const EVP_CIPHER* cipher =
      scheme == KeyWrapScheme::AesKwp ? EVP_aes_256_wrap_pad() : EVP_aes_256_wrap();
  if (EVP_CipherInit_ex2(ctx.get(), cipher, kek.expose().data(), nullptr, 1, nullptr) != 1) {
    return common::openssl_failure("EVP_CipherInit_ex2 (import by unwrap)");
  }
  Bytes wrapped(size);
  int written = 0;
  if (EVP_EncryptUpdate(ctx.get(), wrapped.data(), &written, plaintext.expose().data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      static_cast<std::size_t>(written) != size) {
    return common::openssl_failure("EVP_EncryptUpdate (import by unwrap)");
  }
  return wrapped;
}

// RSA-OAEP of the one-time key to the transport key's public half, with OpenSSL.
Result<Bytes> encrypt_to_transport(const Key& transport, bool sha256, const SecretBytes& key) {
  const ossl::PkeyCtxPtr ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, transport.material().evp, nullptr));
  const EVP_MD* md = sha256 ? EVP_sha256() : EVP_sha1();
  if (ctx == nullptr || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1) {
    return common::openssl_failure("EVP_PKEY_encrypt_init (import by unwrap)");
  }
  std::size_t size = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &size, key.expose().data(), key.size()) != 1) {
    return common::openssl_failure("EVP_PKEY_encrypt (import by unwrap)");
  }
  Bytes out(size);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &size, key.expose().data(), key.size()) != 1) {
    return common::openssl_failure("EVP_PKEY_encrypt (import by unwrap)");
  }
  out.resize(size);
  return out;
}

// The key's bytes as they travel wrapped: PKCS#8 DER for private keys (PKCS#11 v2.40 §5.14:
// C_UnwrapKey of a private key takes a PrivateKeyInfo), the raw value for secret keys.
Result<SecretBytes> plaintext_of(const KeyMaterial& material) {
  switch (material.kind) {
    case KeyKind::Aes:
    case KeyKind::Hmac:
      return SecretBytes(material.secret.expose());
    case KeyKind::RsaPrivate:
    case KeyKind::EcPrivate:
    case KeyKind::Ed25519Private:
      if (material.evp == nullptr) break;
      return common::pkcs8_der(material.evp);
    default:
      break;
  }
  return fail(ErrorCode::InvalidArgument,
              fmt::format("import by unwrap takes a secret or private key, not a {} key",
                          key_kind_name(material.kind)));
}

// Steps 2 and 3 once the transport key is known. `transport_stale` is set when the token
// called the transport key's handle invalid (and nothing was made).
Result<CK_OBJECT_HANDLE> unwrap_with(Lease& lease, const Transport& transport,
                                     const UnwrapPlan& plan, const Bytes& wrapped_one_time,
                                     const Bytes& wrapped_key, const KeyMaterial& material,
                                     const ObjectOptions& options, bool private_objects,
                                     bool& transport_stale) {
  CK_RSA_PKCS_OAEP_PARAMS oaep{};
  oaep.hashAlg = plan.oaep_sha256 ? CKM_SHA256 : CKM_SHA_1;
  oaep.mgf = plan.oaep_sha256 ? CKG_MGF1_SHA256 : CKG_MGF1_SHA1;
  oaep.source = CKZ_DATA_SPECIFIED;
  CK_MECHANISM rsa{CKM_RSA_PKCS_OAEP, &oaep, sizeof(oaep)};
  // The one-time key: a session object that can unwrap and nothing else, never readable.
  AttributeTemplate one_time_tmpl;
  one_time_tmpl.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
      .add_ulong(CKA_KEY_TYPE, CKK_AES)
      .add_bool(CKA_TOKEN, false)
      .add_bool(CKA_SENSITIVE, true)
      .add_bool(CKA_EXTRACTABLE, false)
      .add_bool(CKA_PRIVATE, private_objects);
  add_usage_attributes(one_time_tmpl, CKO_SECRET_KEY,
                       [](CK_ATTRIBUTE_TYPE type) { return type == CKA_UNWRAP; });
  CK_OBJECT_HANDLE one_time = CK_INVALID_HANDLE;
  if (auto made = lease.call<Fn::UnwrapKey>(&rsa, transport.unwrap_key, input_ptr(wrapped_one_time),
                                            input_len(wrapped_one_time), one_time_tmpl.data(),
                                            one_time_tmpl.size(), &one_time);
      !made) {
    transport_stale = made.error().action() == ErrorAction::ReResolveKey;
    return std::unexpected(std::move(made).error());
  }
  const ObjectGuard one_time_guard(lease, one_time);

  AttributeTemplate tmpl;
  add_unwrap_attributes(tmpl, material, options);
  CK_MECHANISM aes{plan.aes_mechanism, nullptr, 0};
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(lease.call<Fn::UnwrapKey>(&aes, one_time_guard.get(),
                                                   input_ptr(wrapped_key), input_len(wrapped_key),
                                                   tmpl.data(), tmpl.size(), &object));
  return object;
}

}  // namespace

Result<CK_OBJECT_HANDLE> unwrap_key_object(Lease& lease, const KeyMaterial& material,
                                           const ObjectOptions& options,
                                           const UnwrapImportContext& context) {
  CRATON_ASSIGN_OR_RETURN(const SecretBytes plaintext, plaintext_of(material));
  CRATON_ASSIGN_OR_RETURN(const UnwrapPlan plan,
                          plan_for(context.capabilities, material, plaintext.size()));
  // The key's bytes are in the clear only here, in wiping memory, and leave the host under the
  // one-time key only.
  SecretBytes one_time = SecretBytes::zeroed(kOneTimeKeySize);
  if (RAND_bytes(one_time.expose_mut().data(), static_cast<int>(kOneTimeKeySize)) != 1) {
    return common::openssl_failure("RAND_bytes (import by unwrap)");
  }
  CRATON_ASSIGN_OR_RETURN(const Bytes wrapped_key, host_wrap(plan.scheme, one_time, plaintext));
  for (int attempt = 0;; ++attempt) {
    CRATON_ASSIGN_OR_RETURN(
        const Transport transport,
        context.transport.get(lease, context.generation, context.private_objects));
    CRATON_ASSIGN_OR_RETURN(
        const Bytes wrapped_one_time,
        encrypt_to_transport(*transport.public_key, plan.oaep_sha256, one_time));
    bool transport_stale = false;
    Result<CK_OBJECT_HANDLE> object =
        unwrap_with(lease, transport, plan, wrapped_one_time, wrapped_key, material, options,
                    context.private_objects, transport_stale);
    // A transport key the token no longer knows (a restarted HSM, a session closed under us):
    // made again once.
    if (object || !transport_stale || attempt > 0) return object;
    context.transport.forget(lease);
  }
}

}  // namespace craton::hsm::pkcs11
