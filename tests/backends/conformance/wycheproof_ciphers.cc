// SPDX-License-Identifier: Apache-2.0
// Wycheproof runners for decryption and key wrap: AES-GCM (96-bit IVs), AES-CBC-PKCS5,
// AES-KW and RSA-OAEP, each held to the error codes backend.h promises.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backends/conformance/bytes.h"
#include "backends/conformance/wycheproof_harness.h"

namespace craton::hsm::conformance::wycheproof {
namespace {

using Expect = AcceptableChoice::Expect;

// The API seals with a fresh random 96-bit IV, so a vector is checked by decrypting
// iv ‖ ct ‖ tag; valid cases thereby also prove encryption-side compatibility of the format.
Observation run_gcm(CryptoBackend& backend, const Capabilities& caps, const Json& group,
                    const Json& test) {
  if (int_member(group, "ivSize") != 96) {
    if (caps.wycheproof_gcm_non96_iv) {
      return Observation::broken("no API takes a chosen non-96-bit IV; fix the capability");
    }
    return Observation::skipped("non-96-bit IV (the API takes 12-byte IVs only)");
  }
  if (int_member(group, "tagSize") != 128) return Observation::skipped("tag not 128 bits");
  const auto key = Key::aes(hex_member(test, "key"));
  if (!key) return refusal(key.error(), "AES key construction");
  const Bytes sealed =
      concat(concat(hex_member(test, "iv"), hex_member(test, "ct")), hex_member(test, "tag"));
  const auto opened = backend.aes_gcm_decrypt(*key, sealed, hex_member(test, "aad"));
  if (!opened) return refusal(opened.error(), "decrypt", {ErrorCode::AuthenticationFailed});
  return output_matches(opened->expose(), hex_member(test, "msg"), "plaintext");
}

// Valid cases also encrypt: CBC with a caller IV is deterministic.
Observation run_cbc(CryptoBackend& backend, const Capabilities& /*caps*/, const Json& /*group*/,
                    const Json& test) {
  const auto key = Key::aes(hex_member(test, "key"));
  if (!key) return refusal(key.error(), "AES key construction");
  const Bytes iv = hex_member(test, "iv");
  const Bytes ct = hex_member(test, "ct");
  const Bytes msg = hex_member(test, "msg");
  const auto opened = backend.aes_cbc_decrypt(*key, iv, ct);
  if (!opened) return refusal(opened.error(), "decrypt", {ErrorCode::EncryptedDataInvalid});
  if (Observation plain = output_matches(opened->expose(), msg, "plaintext");
      plain.kind != Observation::Kind::Accepted) {
    return plain;
  }
  const auto sealed = backend.aes_cbc_encrypt(*key, iv, msg);
  if (!sealed) return Observation::broken("encrypt of a valid case: " + sealed.error().to_string());
  return output_matches(*sealed, ct, "ciphertext");
}

Observation kw_unwrap_refused(CryptoBackend& backend, const Key& kek, const Bytes& ct) {
  const auto unwrapped = backend.unwrap_key(kek, KeyWrapScheme::AesKw, ct);
  if (unwrapped) {
    return Observation::broken(
        fmt::format("unwrap released {} bytes of an invalid blob", unwrapped->size()));
  }
  // A blob that is not n ≥ 3 semiblocks is a length error; a well-sized one failed integrity.
  if (ct.size() % 8 != 0 || ct.size() < 24) {
    return refusal(
        unwrapped.error(), "unwrap",
        {ErrorCode::WrappedKeyInvalid, ErrorCode::DataLenRange, ErrorCode::InvalidArgument});
  }
  return refusal(unwrapped.error(), "unwrap", {ErrorCode::WrappedKeyInvalid});
}

// Valid: wrap(msg) == ct and unwrap(ct) == msg. Invalid: an empty ct means the wrap itself must
// be refused (WrongDataSize, EmptyKey); otherwise unwrap(ct) must be refused.
Observation run_kw(CryptoBackend& backend, const Capabilities& /*caps*/, const Json& /*group*/,
                   const Json& test) {
  const auto kek = Key::aes(hex_member(test, "key"));
  if (!kek) return refusal(kek.error(), "KEK construction");
  const Bytes msg = hex_member(test, "msg");
  const Bytes ct = hex_member(test, "ct");
  const std::string result = test.at("result").get<std::string>();
  const auto wrapped = backend.wrap_key(*kek, KeyWrapScheme::AesKw, SecretBytes(msg));
  if (result == "invalid") {
    if (msg.empty() || ct.empty()) {  // nothing to wrap, or a length KW cannot wrap
      if (wrapped) return Observation::broken(fmt::format("wrap accepted {} bytes", msg.size()));
      Observation refused =
          refusal(wrapped.error(), "wrap",
                  {ErrorCode::DataLenRange, ErrorCode::InvalidArgument, ErrorCode::KeySizeRange});
      if (refused.kind == Observation::Kind::Broken || !msg.empty()) return refused;
    }
    return kw_unwrap_refused(backend, *kek, ct);
  }
  // valid, or acceptable (an 8-byte key: SP 800-38F refuses one semiblock)
  const auto unwrapped = backend.unwrap_key(*kek, KeyWrapScheme::AesKw, ct);
  if (!wrapped && !unwrapped) {
    return Observation::rejected(fmt::format("wrap: {}; unwrap: {}", wrapped.error().to_string(),
                                             unwrapped.error().to_string()));
  }
  if (!wrapped || !unwrapped) {
    return Observation::broken(fmt::format("wrap {} but unwrap {}", wrapped ? "works" : "refuses",
                                           unwrapped ? "works" : "refuses"));
  }
  if (Observation out = output_matches(*wrapped, ct, "wrapped key");
      out.kind != Observation::Kind::Accepted) {
    return out;
  }
  return output_matches(unwrapped->expose(), msg, "unwrapped key");
}

// Invalid OAEP decryptions answer the single EncryptedDataInvalid (no padding oracle). A
// ciphertext of the wrong length is public information, so DataLenRange is allowed for it.
Observation run_oaep(CryptoBackend& backend, const Capabilities& caps, const Json& group,
                     const Json& test) {
  if (group.at("mgf").get<std::string>() != "MGF1" ||
      group.at("mgfSha").get<std::string>() != group.at("sha").get<std::string>()) {
    return Observation::skipped("OAEP with an MGF1 hash other than the label hash");
  }
  const HashAlg hash = hash_named(group.at("sha").get<std::string>());
  const auto key = Key::rsa_private_pkcs8(hex_member(group, "privateKeyPkcs8"));
  if (!key) return refusal(key.error(), "private key construction");
  const Bytes ct = hex_member(test, "ct");
  const auto opened = backend.rsa_oaep_decrypt(*key, hash, ct, hex_member(test, "label"));
  if (!caps.supports_oaep(hash)) {
    if (!opened && opened.error().code() == ErrorCode::MechanismUnsupported) {
      return Observation::skipped(
          fmt::format("OAEP with {} unsupported by this backend", hash_name(hash)));
    }
    return Observation::broken(
        "capabilities exclude this OAEP hash, but decrypt did not "
        "answer MechanismUnsupported");
  }
  if (!opened) {
    if (ct.size() != key->bits() / 8) {
      return refusal(opened.error(), "decrypt",
                     {ErrorCode::EncryptedDataInvalid, ErrorCode::DataLenRange});
    }
    return refusal(opened.error(), "decrypt", {ErrorCode::EncryptedDataInvalid});
  }
  return output_matches(opened->expose(), hex_member(test, "msg"), "plaintext");
}

}  // namespace

std::vector<VectorFile> cipher_vector_files() {
  constexpr std::string_view kShortKey =
      "ShortKey: an 8-byte key is one semiblock; SP 800-38F (and our wrap) refuse fewer than "
      "16 bytes, so neither wrap nor unwrap may accept it";
  return {
      {.file = "aes_gcm_test.json",
       .schema = "aead_test_schema_v1.json",
       .group_type = "AeadTest",
       .run = run_gcm,
       .acceptable = {},
       .refused_by_policy = {}},
      {.file = "aes_cbc_pkcs5_test.json",
       .schema = "ind_cpa_test_schema_v1.json",
       .group_type = "IndCpaTest",
       .run = run_cbc,
       .acceptable = {},
       .refused_by_policy = {}},
      {.file = "aes_wrap_test.json",
       .schema = "keywrap_test_schema_v1.json",
       .group_type = "KeywrapTest",
       .run = run_kw,
       .acceptable = {{12, Expect::Reject, kShortKey},
                      {54, Expect::Reject, kShortKey},
                      {109, Expect::Reject, kShortKey}},
       .refused_by_policy = {}},
      {.file = "rsa_oaep_2048_sha256_mgf1sha256_test.json",
       .schema = "rsaes_oaep_decrypt_schema_v1.json",
       .group_type = "RsaesOaepDecrypt",
       .run = run_oaep,
       .acceptable = {},
       .refused_by_policy = {}},
  };
}

}  // namespace craton::hsm::conformance::wycheproof
