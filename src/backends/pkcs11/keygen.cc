// SPDX-License-Identifier: Apache-2.0
// Key generation on the token, read back as key material (so generated keys are extractable:
// see backend.h), and the opt-in, fail-closed software fallback for mechanisms the token
// lacks (seed: "Fail-closed software fallback").
#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/x509.h>

#include "backends/common/openssl_keygen.h"
#include "backends/common/openssl_util.h"
#include "backends/pkcs11/key_import.h"
#include "backends/pkcs11/keygen_spec.h"
#include "backends/pkcs11/object_guard.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "keys/key_build.h"
#include "keys/key_origin.h"
#include "keys/openssl_ptr.h"
#include "pkcs11/session/readback.h"

namespace craton::hsm::pkcs11 {
namespace {

using common::openssl_failure;
using common::pkcs8_der;

// The attributes every private half (or secret key) generated here gets: a session object
// that is neither sensitive nor unextractable, because its value is read out right away.
void add_readable_private(AttributeTemplate& tmpl, bool private_objects) {
  tmpl.add_bool(CKA_TOKEN, false)
      .add_bool(CKA_SENSITIVE, false)
      .add_bool(CKA_EXTRACTABLE, true)
      .add_bool(CKA_PRIVATE, private_objects);
}

// AES and HMAC (generic-secret) keys differ only in key type and in the factory that checks
// the bytes read back.
Result<Key> generate_secret(Lease& lease, const KeygenSpec& spec, bool private_objects) {
  const bool aes = spec.family == KeyFamily::Aes;
  AttributeTemplate tmpl;
  tmpl.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
      .add_ulong(CKA_KEY_TYPE, aes ? CKK_AES : CKK_GENERIC_SECRET)
      .add_ulong(CKA_VALUE_LEN, spec.size);
  add_readable_private(tmpl, private_objects);
  CK_MECHANISM mechanism{spec.mechanism, nullptr, 0};
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(
      lease.call<Fn::GenerateKey>(&mechanism, tmpl.data(), tmpl.size(), &object));
  const ObjectGuard guard(lease, object);
  CRATON_ASSIGN_OR_RETURN(const SecretBytes value,
                          read_secret_attribute(lease, guard.get(), CKA_VALUE));
  return aes ? Key::aes(value.expose()) : Key::hmac(value.expose());
}

struct PairHandles {
  CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
};

// C_GenerateKeyPair; the caller guards both handles at once.
Result<PairHandles> generate_pair(Lease& lease, CK_MECHANISM_TYPE type,
                                  AttributeTemplate& public_tmpl, AttributeTemplate& private_tmpl) {
  CK_MECHANISM mechanism{type, nullptr, 0};
  PairHandles pair;
  CRATON_RETURN_IF_ERROR(lease.call<Fn::GenerateKeyPair>(
      &mechanism, public_tmpl.data(), public_tmpl.size(), private_tmpl.data(), private_tmpl.size(),
      &pair.public_key, &pair.private_key));
  return pair;
}

// The PKCS#8 DER of an RSA private key given by its token attributes (PKCS#11 v2.40 §2.1.2),
// assembled by OpenSSL. Every intermediate that holds private parts wipes itself: SecretBytes,
// secure BIGNUMs (cleared on free), and the parameter block built from them, which OpenSSL
// allocates from the secure heap for secure BIGNUMs and clears when freed.
Result<SecretBytes> rsa_pkcs8(Lease& lease, CK_OBJECT_HANDLE private_key) {
  struct Part {
    CK_ATTRIBUTE_TYPE attribute;
    const char* param;
  };
  static constexpr Part kParts[] = {
      {CKA_MODULUS, OSSL_PKEY_PARAM_RSA_N},
      {CKA_PUBLIC_EXPONENT, OSSL_PKEY_PARAM_RSA_E},
      {CKA_PRIVATE_EXPONENT, OSSL_PKEY_PARAM_RSA_D},
      {CKA_PRIME_1, OSSL_PKEY_PARAM_RSA_FACTOR1},
      {CKA_PRIME_2, OSSL_PKEY_PARAM_RSA_FACTOR2},
      {CKA_EXPONENT_1, OSSL_PKEY_PARAM_RSA_EXPONENT1},
      {CKA_EXPONENT_2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
      {CKA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
  };
  const ossl::ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (builder == nullptr) return openssl_failure("OSSL_PARAM_BLD_new");
  std::vector<ossl::BignumPtr> numbers;  // must live until the parameters are built
  for (const Part& part : kParts) {
    CRATON_ASSIGN_OR_RETURN(const SecretBytes value,
                            read_secret_attribute(lease, private_key, part.attribute));
    ossl::BignumPtr& number = numbers.emplace_back(BN_secure_new());
    if (number == nullptr ||
        BN_bin2bn(value.expose().data(), static_cast<int>(value.size()), number.get()) == nullptr ||
        OSSL_PARAM_BLD_push_BN(builder.get(), part.param, number.get()) != 1) {
      return openssl_failure("reading RSA components");
    }
  }
  const ossl::ParamsPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  const ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return openssl_failure("EVP_PKEY_fromdata (RSA)");
  }
  const ossl::PkeyPtr pkey(raw);

  return pkcs8_der(pkey.get());
}

Result<Key> generate_rsa(Lease& lease, const KeygenSpec& spec, bool private_objects) {
  static constexpr CK_BYTE kF4[] = {0x01, 0x00, 0x01};  // 65537
  AttributeTemplate public_tmpl;
  public_tmpl.add_bool(CKA_TOKEN, false)
      .add_ulong(CKA_MODULUS_BITS, spec.size)
      .add_bytes(CKA_PUBLIC_EXPONENT, kF4);
  AttributeTemplate private_tmpl;
  add_readable_private(private_tmpl, private_objects);
  CRATON_ASSIGN_OR_RETURN(const PairHandles pair,
                          generate_pair(lease, spec.mechanism, public_tmpl, private_tmpl));
  const ObjectGuard public_guard(lease, pair.public_key);
  const ObjectGuard private_guard(lease, pair.private_key);
  CRATON_ASSIGN_OR_RETURN(const SecretBytes der, rsa_pkcs8(lease, pair.private_key));
  // The factory checks the key (RSA_check_key) like any imported one.
  return Key::rsa_private_pkcs8(der.expose());
}

// The token's CKA_EC_POINT must be the public half of the private value it handed out: a
// module that encodes CKA_VALUE differently (byte order, an expanded EdDSA key) is caught here
// instead of producing a key that signs for somebody else's public key.
Result<void> check_public_point(Lease& lease, CK_OBJECT_HANDLE public_key, const Key& key) {
  CRATON_ASSIGN_OR_RETURN(const Bytes point,
                          read_public_attribute(lease, public_key, CKA_EC_POINT));
  const std::vector<std::uint8_t>& expected = key.material().public_point;
  // DER OCTET STRING (v2.40 §2.3.3, SoftHSM2, NSS) or, from some modules, the raw point.
  if (point == der_octet_string(expected) || point == expected) return {};
  return fail(
      ErrorCode::Pkcs11Failure,
      fmt::format("the token's {} private value does not match its public key", key.describe()));
}

Result<Key> generate_ec(Lease& lease, const KeygenSpec& spec, bool private_objects) {
  const bool edwards = spec.family == KeyFamily::Ed25519;
  AttributeTemplate public_tmpl;
  public_tmpl.add_bool(CKA_TOKEN, false).add_bytes(CKA_EC_PARAMS, ec_params_of(spec));
  AttributeTemplate private_tmpl;
  add_readable_private(private_tmpl, private_objects);
  CRATON_ASSIGN_OR_RETURN(const PairHandles pair,
                          generate_pair(lease, spec.mechanism, public_tmpl, private_tmpl));
  const ObjectGuard public_guard(lease, pair.public_key);
  const ObjectGuard private_guard(lease, pair.private_key);
  // EC: the scalar, big-endian, possibly without leading zeros (the factory pads it).
  // Ed25519: the 32-byte RFC 8032 seed.
  CRATON_ASSIGN_OR_RETURN(const SecretBytes value,
                          read_secret_attribute(lease, pair.private_key, CKA_VALUE));
  CRATON_ASSIGN_OR_RETURN(const Key key, edwards ? Key::ed25519_private(value.expose())
                                                 : Key::ec_private(spec.curve, value.expose()));
  CRATON_RETURN_IF_ERROR(check_public_point(lease, pair.public_key, key));
  return key;
}

Result<Key> generate_on_token(Lease& lease, const KeygenSpec& spec, bool private_objects) {
  switch (spec.family) {
    case KeyFamily::Aes:
    case KeyFamily::Hmac:
      return generate_secret(lease, spec, private_objects);
    case KeyFamily::Rsa:
      return generate_rsa(lease, spec, private_objects);
    case KeyFamily::Ec:
    case KeyFamily::Ed25519:
      return generate_ec(lease, spec, private_objects);
  }
  return fail(ErrorCode::Internal, "unknown key family");
}

// Whether the generate call itself (not a later read-back) said the token cannot do this:
// CKR_MECHANISM_INVALID, CKR_FUNCTION_NOT_SUPPORTED (or a null function-list entry), and
// CKR_CURVE_NOT_SUPPORTED, which rv_map already files as MechanismUnsupported. PIN, session,
// device and template failures are never in this set.
bool token_refused_mechanism(const HsmError& error) {
  const bool generate_call = error.function() == function_name(Fn::GenerateKey) ||
                             error.function() == function_name(Fn::GenerateKeyPair);
  const ErrorCode code = error.code();
  return generate_call &&
         (code == ErrorCode::MechanismInvalid || code == ErrorCode::FunctionNotSupported ||
          code == ErrorCode::MechanismUnsupported);
}

}  // namespace

Result<Key> Pkcs11PassthroughBackend::generate_key(KeyAlgorithm algorithm) {
  CRATON_ASSIGN_OR_RETURN(const KeygenSpec spec, keygen_spec(algorithm));
  // Only by explicit opt-in, and only for "the token cannot", never for "the token failed".
  const bool fallback = config_.allow_software_keygen_fallback;
  const auto in_software = [&]() -> Result<Key> {
    if (OperationNotes* notes = ObservedOperation::current()) notes->software_fallback = true;
    CRATON_ASSIGN_OR_RETURN(const Key key, common::openssl_generate_key(algorithm));
    return keys::with_origin(key, KeyOrigin::GeneratedInSoftware);
  };

  if (const Result<void> can = capabilities_.table().require(keygen_row(algorithm)); !can) {
    if (fallback) return in_software();
    return std::unexpected(can.error());
  }
  // Generated as session objects and read out: a token without them would refuse, or keep a
  // permanent copy of every material key it made.
  if (!capabilities_.keeps_session_objects()) {
    if (fallback) return in_software();
    CRATON_RETURN_IF_ERROR(capabilities_.require_session_objects(
        fmt::format("generating a material {} key", key_algorithm_name(algorithm))));
  }
  const bool private_objects = pool_->logs_in();
  Result<Key> generated = pool_->run(
      [&](Lease& lease) -> Result<Key> { return generate_on_token(lease, spec, private_objects); });
  if (generated) return keys::with_origin(*generated, KeyOrigin::GeneratedOnToken);

  const HsmError& error = generated.error();
  if (!token_refused_mechanism(error)) return generated;
  if (fallback) return in_software();
  // backend.h: what the backend cannot do is MechanismUnsupported; the token's answer stays
  // attached for diagnosis.
  return std::unexpected(
      HsmError(ErrorCode::MechanismUnsupported,
               fmt::format("{}: the token refused key generation", key_algorithm_name(algorithm)),
               error.function(), error.rv().value_or(CKR_GENERAL_ERROR), error.rv_name()));
}

}  // namespace craton::hsm::pkcs11
