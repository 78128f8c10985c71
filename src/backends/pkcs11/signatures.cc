// SPDX-License-Identifier: Apache-2.0
// Signatures on the token: RSA PKCS#1 v1.5 and PSS, ECDSA and pure Ed25519, over a message
// or a caller-computed digest, by the route the capability table chose (the token's combined
// mechanism, or its raw one over a host digest); verification answers Valid or Invalid
// through the one decoder, classify_verify_result.
#include <algorithm>
#include <array>
#include <optional>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "backends/common/ecdsa_encoding.h"
#include "backends/common/openssl_util.h"
#include "backends/common/signature_scheme.h"
#include "backends/pkcs11/capability_table.h"
#include "backends/pkcs11/mechanisms.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "keys/key_build.h"
#include "pkcs11/session/input.h"
#include "pkcs11/session/output_length.h"

namespace craton::hsm::pkcs11 {
namespace {

// The scheme facts, the Ed25519 "no digest form" rule and the digest-length rule are the rules
// both backends share (backends/common), so they answer alike by construction.
using common::check_digest_length;
using common::check_scheme_key;
using common::KeyUse;
using common::require_prehash;
using common::scheme_traits;
using common::SignatureFamily;

constexpr std::size_t kEd25519SignatureBytes = 64;  // RFC 8032 §5.1.6: R ‖ S

// RFC 8017 §9.2 note 1: the DER of DigestInfo up to the digest (AlgorithmIdentifier with NULL
// parameters, then the OCTET STRING header). CKM_RSA_PKCS signs prefix ‖ digest.
using DigestInfoPrefix = std::array<std::uint8_t, 19>;
constexpr DigestInfoPrefix kSha224DigestInfo = {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                                0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                                0x04, 0x05, 0x00, 0x04, 0x1c};
constexpr DigestInfoPrefix kSha256DigestInfo = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                                0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                                0x01, 0x05, 0x00, 0x04, 0x20};
constexpr DigestInfoPrefix kSha384DigestInfo = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                                0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                                0x02, 0x05, 0x00, 0x04, 0x30};
constexpr DigestInfoPrefix kSha512DigestInfo = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                                0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                                0x03, 0x05, 0x00, 0x04, 0x40};

// The hash's DigestInfo prefix and, for hashing on the host, its OpenSSL digest.
struct HostHash {
  const DigestInfoPrefix& digest_info;
  const EVP_MD* (*md)();
};

HostHash host_hash(HashAlg hash) noexcept {
  switch (hash) {
    case HashAlg::Sha224:
      return {kSha224DigestInfo, EVP_sha224};
    case HashAlg::Sha256:
      break;
    case HashAlg::Sha384:
      return {kSha384DigestInfo, EVP_sha384};
    case HashAlg::Sha512:
      return {kSha512DigestInfo, EVP_sha512};
  }
  return {kSha256DigestInfo, EVP_sha256};
}

// Room for the bytes built on the host: a digest, or DigestInfo prefix ‖ digest.
using Scratch = std::array<std::uint8_t, std::tuple_size_v<DigestInfoPrefix> + kMaxDigestSize>;

// What the caller handed in: the message, or its digest under the scheme's hash.
enum class Input : std::uint8_t { Message, Digest };

// ---- Input checks (all before any token call) ----------------------------------------------

// The length of every signature `key` makes under `scheme`: the modulus length k (RFC 8017
// §8.1.1, §8.2.1), r ‖ s at field width (the token's ECDSA form), or 64 for Ed25519.
std::size_t signature_size(const Key& key, SignScheme scheme) {
  const common::SchemeTraits traits = scheme_traits(scheme);
  switch (traits.family) {
    case SignatureFamily::RsaPkcs1v15:
    case SignatureFamily::RsaPss:
      return (key.bits() + 7) / 8;  // rsa_modulus drops leading zeros; k does not
    case SignatureFamily::Ecdsa:
      return 2 * keys::curve_info(*traits.curve).field_bytes;
    case SignatureFamily::Ed25519:
      break;
  }
  return kEd25519SignatureBytes;
}

// The signature as the token takes it, or nullopt when its form alone makes it Invalid (the
// software backend's rules, so no malformed signature ever reaches the token). DER ECDSA is
// converted into `converted`, strictly: BER, non-minimal or oversized integers are Invalid.
std::optional<ByteView> token_signature(const Key& key, SignScheme scheme, ByteView signature,
                                        SignatureEncoding encoding, Bytes& converted) {
  const std::size_t size = signature_size(key, scheme);
  if (scheme_traits(scheme).family == SignatureFamily::Ecdsa &&
      encoding == SignatureEncoding::Der) {
    auto raw = common::ecdsa_der_to_raw(signature, size / 2);
    if (!raw) return std::nullopt;
    converted = std::move(raw).value();
    return ByteView(converted);
  }
  if (signature.size() != size) return std::nullopt;
  return signature;
}

// ---- Mechanism selection --------------------------------------------------------------------

// The token mechanism for one signature and the PSS parameter it may carry. ck_mechanism()
// points into this object: build the CK_MECHANISM where it is used.
struct SignatureMechanism {
  CK_MECHANISM_TYPE type = CKM_VENDOR_DEFINED;
  std::optional<CK_RSA_PKCS_PSS_PARAMS> pss;
};

CK_MECHANISM ck_mechanism(SignatureMechanism& choice) {
  if (!choice.pss) return {choice.type, nullptr, 0};
  return {choice.type, &*choice.pss, sizeof(CK_RSA_PKCS_PSS_PARAMS)};
}

// The mechanism the capability table chose, with the PSS parameter our PSS schemes carry
// (schemes.h: MGF1 of the same hash, a salt as long as the hash) whether the token hashes
// (CKM_SHA256_RSA_PKCS_PSS) or signs a host digest (CKM_RSA_PKCS_PSS).
SignatureMechanism signature_mechanism(SignScheme scheme, const Choice& choice) {
  if (scheme_traits(scheme).family != SignatureFamily::RsaPss) return {choice.mechanism, {}};
  const HashMechanisms hash = hash_mechanisms(scheme_hash(scheme));
  return {choice.mechanism,
          CK_RSA_PKCS_PSS_PARAMS{hash.digest, hash.mgf, digest_size(scheme_hash(scheme))}};
}

// The bytes C_Sign / C_Verify take: `data` itself, or bytes built in `scratch`. A message on
// the host-prehash route is hashed here (FIPS 180-4: the same bits the token's combined
// mechanism computes) and, for PKCS#1 v1.5, wrapped as DigestInfo ‖ digest (RFC 8017 §9.2
// step 2, which is what CKM_SHA*_RSA_PKCS signs); a caller's digest for PKCS#1 v1.5 is wrapped
// the same way. PSS and ECDSA sign the bare digest.
Result<ByteView> token_input(SignScheme scheme, Input input, CapabilityHow how, ByteView data,
                             Scratch& scratch) {
  const SignatureFamily family = scheme_traits(scheme).family;
  const HostHash hash = host_hash(scheme_hash(scheme));
  const bool digest_info = family == SignatureFamily::RsaPkcs1v15;
  std::size_t offset = digest_info ? hash.digest_info.size() : 0;
  if (input == Input::Message) {
    if (how != CapabilityHow::HostPrehash) return data;
    unsigned int length = 0;
    if (EVP_Digest(common::data_or_empty(data), data.size(), scratch.data() + offset, &length,
                   hash.md(), nullptr) != 1) {
      return common::openssl_failure("EVP_Digest");
    }
    offset += length;
  } else {
    if (!digest_info) return data;
    // length checked: at most kMaxDigestSize
    std::copy(data.begin(), data.end(), scratch.begin() + static_cast<std::ptrdiff_t>(offset));
    offset += data.size();
  }
  if (digest_info) std::copy(hash.digest_info.begin(), hash.digest_info.end(), scratch.begin());
  return ByteView(scratch.data(), offset);
}

// The row of the table for this call, checked: MechanismUnsupported naming the scheme and the
// token before any token call, also for an RSA key whose size the mechanism does not take.
Result<const Choice*> choose(const CapabilityTable& table, const Key& key, SignScheme scheme,
                             Input input, bool verify) {
  const std::size_t row =
      sign_row(scheme, input == Input::Message ? SignInput::Message : SignInput::Digest, verify);
  CRATON_RETURN_IF_ERROR(table.require(row));
  const Choice& choice = table.at(row);
  if (choice.per_key_size) CRATON_RETURN_IF_ERROR(table.require_key_size(row, key.bits()));
  return &choice;
}

// ---- The token calls ------------------------------------------------------------------------

// C_SignInit, then one C_Sign into a buffer of the known signature size (no length query).
// A module that still answers CKR_BUFFER_TOO_SMALL leaves the operation active; the lease
// then has the session rebuilt (ActiveOperations).
Result<Bytes> sign_on_token(Lease& lease, CK_OBJECT_HANDLE key, SignatureMechanism& choice,
                            ByteView input, std::size_t size) {
  CK_MECHANISM mechanism = ck_mechanism(choice);
  CRATON_RETURN_IF_ERROR(lease.call<Fn::SignInit>(&mechanism, key));
  Bytes signature(size);
  CK_ULONG length = signature.size();
  CRATON_RETURN_IF_ERROR(lease.call<Fn::Sign>(input_ptr(input), static_cast<CK_ULONG>(input.size()),
                                              signature.data(), &length));
  CRATON_RETURN_IF_ERROR(
      output_length(Fn::Sign, length, signature.size(), ExpectedLength::exactly(size)));
  return signature;
}

// C_VerifyInit (a failure is an error), then C_Verify decided by classify_verify_result.
Result<VerifyOutcome> verify_on_token(Lease& lease, CK_OBJECT_HANDLE key,
                                      SignatureMechanism& choice, ByteView input,
                                      ByteView signature) {
  CK_MECHANISM mechanism = ck_mechanism(choice);
  CRATON_RETURN_IF_ERROR(lease.call<Fn::VerifyInit>(&mechanism, key));
  const CK_RV rv = lease.invoke<Fn::Verify>(input_ptr(input), static_cast<CK_ULONG>(input.size()),
                                            input_ptr(signature), input_len(signature));
  return classify_verify_result(rv, Fn::Verify);
}

// The token's r ‖ s becomes DER on request; every other signature leaves as the token made it.
Result<Bytes> encode_signature(SignScheme scheme, Bytes signature, SignatureEncoding encoding) {
  if (scheme_traits(scheme).family != SignatureFamily::Ecdsa ||
      encoding == SignatureEncoding::Raw) {
    return signature;
  }
  return common::ecdsa_raw_to_der(signature, signature.size() / 2);
}

}  // namespace

Result<Bytes> Pkcs11PassthroughBackend::sign(const Key& key, SignScheme scheme, ByteView message,
                                             SignatureEncoding encoding) {
  CRATON_RETURN_IF_ERROR(check_scheme_key(key, scheme, KeyUse::Sign));
  CRATON_RETURN_IF_ERROR(check_input_size(message.size(), "message"));
  return sign_checked(key, scheme, message, /*is_digest=*/false, encoding);
}

Result<Bytes> Pkcs11PassthroughBackend::sign_digest(const Key& key, SignScheme scheme,
                                                    ByteView digest, SignatureEncoding encoding) {
  CRATON_RETURN_IF_ERROR(require_prehash(scheme));
  CRATON_RETURN_IF_ERROR(check_scheme_key(key, scheme, KeyUse::Sign));
  CRATON_RETURN_IF_ERROR(check_digest_length(scheme, digest));
  return sign_checked(key, scheme, digest, /*is_digest=*/true, encoding);
}

Result<Bytes> Pkcs11PassthroughBackend::sign_checked(const Key& key, SignScheme scheme,
                                                     ByteView data, bool is_digest,
                                                     SignatureEncoding encoding) {
  const Input kind = is_digest ? Input::Digest : Input::Message;
  CRATON_ASSIGN_OR_RETURN(const Choice* row,
                          choose(capabilities_.table(), key, scheme, kind, /*verify=*/false));
  SignatureMechanism choice = signature_mechanism(scheme, *row);
  Scratch scratch{};
  CRATON_ASSIGN_OR_RETURN(const ByteView input, token_input(scheme, kind, row->how, data, scratch));
  const std::size_t size = signature_size(key, scheme);
  CRATON_ASSIGN_OR_RETURN(
      Bytes signature,
      with_key<Bytes>(key, KeyUsage::Sign, [&](Lease& lease, CK_OBJECT_HANDLE object) {
        return sign_on_token(lease, object, choice, input, size);
      }));
  return encode_signature(scheme, std::move(signature), encoding);
}

Result<VerifyOutcome> Pkcs11PassthroughBackend::verify(const Key& key, SignScheme scheme,
                                                       ByteView message, ByteView signature,
                                                       SignatureEncoding encoding) {
  CRATON_RETURN_IF_ERROR(check_scheme_key(key, scheme, KeyUse::Verify));
  CRATON_RETURN_IF_ERROR(check_input_size(message.size(), "message"));
  return verify_checked(key, scheme, message, /*is_digest=*/false, signature, encoding);
}

Result<VerifyOutcome> Pkcs11PassthroughBackend::verify_digest(const Key& key, SignScheme scheme,
                                                              ByteView digest, ByteView signature,
                                                              SignatureEncoding encoding) {
  CRATON_RETURN_IF_ERROR(require_prehash(scheme));
  CRATON_RETURN_IF_ERROR(check_scheme_key(key, scheme, KeyUse::Verify));
  CRATON_RETURN_IF_ERROR(check_digest_length(scheme, digest));
  return verify_checked(key, scheme, digest, /*is_digest=*/true, signature, encoding);
}

Result<VerifyOutcome> Pkcs11PassthroughBackend::verify_checked(const Key& key, SignScheme scheme,
                                                               ByteView data, bool is_digest,
                                                               ByteView signature,
                                                               SignatureEncoding encoding) {
  const Input kind = is_digest ? Input::Digest : Input::Message;
  CRATON_ASSIGN_OR_RETURN(const Choice* row,
                          choose(capabilities_.table(), key, scheme, kind, /*verify=*/true));
  SignatureMechanism choice = signature_mechanism(scheme, *row);
  Bytes converted;
  const std::optional<ByteView> prepared =
      token_signature(key, scheme, signature, encoding, converted);
  if (!prepared) return VerifyOutcome::Invalid;
  Scratch scratch{};
  CRATON_ASSIGN_OR_RETURN(const ByteView input, token_input(scheme, kind, row->how, data, scratch));
  // A private key verifies through its public half: the token's public object of a resident
  // pair, or a CKA_VERIFY session object (resolve_public).
  return with_public_key<VerifyOutcome>(
      key, KeyUsage::Verify, [&](Lease& lease, CK_OBJECT_HANDLE object) {
        return verify_on_token(lease, object, choice, input, *prepared);
      });
}

}  // namespace craton::hsm::pkcs11
