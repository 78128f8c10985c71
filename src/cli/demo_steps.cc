// SPDX-License-Identifier: Apache-2.0
// Each demo step: one token operation and the software check that proves its result right.
#include "cli/demo_steps.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

namespace craton::hsm::cli {
namespace {

// Constants, not vectors: nothing is allocated (or can throw) before main.
constexpr auto kMessage = [] {
  constexpr std::string_view text = "Craton HSM demo: the same bytes through token and software";
  std::array<std::uint8_t, text.size()> bytes{};
  std::ranges::copy(text, bytes.begin());
  return bytes;
}();
constexpr std::array<std::uint8_t, 6> kAad{'h', 'e', 'a', 'd', 'e', 'r'};
constexpr auto kIv = [] {
  std::array<std::uint8_t, 16> iv{};
  iv.fill(0x24);
  return iv;
}();

Result<void> expect(bool ok, std::string_view what) {
  if (ok) return {};
  return fail(ErrorCode::Internal, fmt::format("cross-check failed: {}", what));
}

bool same(ByteView a, ByteView b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

DemoStep signature_step(const Key& key, SignScheme scheme, SignatureEncoding encoding) {
  return {
      "sign + verify",
      fmt::format("{}{}", scheme_name(scheme), encoding == SignatureEncoding::Der ? " (DER)" : ""),
      key.describe(),
      [key, scheme, encoding](CryptoBackend& token, CryptoBackend& software) -> Result<void> {
        CRATON_ASSIGN_OR_RETURN(const Bytes signature, token.sign(key, scheme, kMessage, encoding));
        CRATON_ASSIGN_OR_RETURN(const VerifyOutcome by_software,
                                software.verify(key, scheme, kMessage, signature, encoding));
        CRATON_ASSIGN_OR_RETURN(const VerifyOutcome by_token,
                                token.verify(key, scheme, kMessage, signature, encoding));
        return expect(by_software == VerifyOutcome::Valid && by_token == VerifyOutcome::Valid,
                      "signature verifies in both backends");
      }};
}

}  // namespace

Result<DemoKeys> make_demo_keys(CryptoBackend& software) {
  CRATON_ASSIGN_OR_RETURN(Key aes, software.generate_key(KeyAlgorithm::Aes256));
  // Generated, not made from random() bytes: those came back in a plain vector, freed unwiped.
  CRATON_ASSIGN_OR_RETURN(Key hmac, software.generate_key(KeyAlgorithm::Hmac256));
  CRATON_ASSIGN_OR_RETURN(Key rsa, software.generate_key(KeyAlgorithm::Rsa2048));
  CRATON_ASSIGN_OR_RETURN(Key ec_p256, software.generate_key(KeyAlgorithm::EcP256));
  CRATON_ASSIGN_OR_RETURN(Key ec_p384, software.generate_key(KeyAlgorithm::EcP384));
  CRATON_ASSIGN_OR_RETURN(Key ec_peer, software.generate_key(KeyAlgorithm::EcP256));
  CRATON_ASSIGN_OR_RETURN(Key ed25519, software.generate_key(KeyAlgorithm::Ed25519));
  return DemoKeys{aes, hmac, rsa, ec_p256, ec_p384, ec_peer, ed25519};
}

std::vector<DemoStep> demo_steps(const DemoKeys& keys) {
  std::vector<DemoStep> steps;
  steps.push_back(signature_step(keys.rsa, SignScheme::RsaPkcs1v15Sha256, SignatureEncoding::Raw));
  steps.push_back(signature_step(keys.rsa, SignScheme::RsaPssSha256, SignatureEncoding::Raw));
  steps.push_back(
      signature_step(keys.ec_p256, SignScheme::EcdsaP256Sha256, SignatureEncoding::Raw));
  steps.push_back(
      signature_step(keys.ec_p256, SignScheme::EcdsaP256Sha256, SignatureEncoding::Der));
  steps.push_back(
      signature_step(keys.ec_p384, SignScheme::EcdsaP384Sha384, SignatureEncoding::Raw));
  steps.push_back(signature_step(keys.ed25519, SignScheme::Ed25519, SignatureEncoding::Raw));

  const Key aes = keys.aes;
  steps.push_back(
      {"encrypt + decrypt", "AES-GCM", aes.describe(),
       [aes](CryptoBackend& token, CryptoBackend& software) -> Result<void> {
         CRATON_ASSIGN_OR_RETURN(const Bytes sealed, token.aes_gcm_encrypt(aes, kMessage, kAad));
         CRATON_ASSIGN_OR_RETURN(const SecretBytes opened,
                                 software.aes_gcm_decrypt(aes, sealed, kAad));
         return expect(same(opened.expose(), kMessage), "software opens the token's GCM");
       }});
  steps.push_back(
      {"encrypt + decrypt", "AES-CBC-PAD", aes.describe(),
       [aes](CryptoBackend& token, CryptoBackend& software) -> Result<void> {
         CRATON_ASSIGN_OR_RETURN(const Bytes on_token, token.aes_cbc_encrypt(aes, kIv, kMessage));
         CRATON_ASSIGN_OR_RETURN(const Bytes in_software,
                                 software.aes_cbc_encrypt(aes, kIv, kMessage));
         CRATON_ASSIGN_OR_RETURN(const SecretBytes back, token.aes_cbc_decrypt(aes, kIv, on_token));
         return expect(on_token == in_software && same(back.expose(), kMessage),
                       "identical CBC ciphertext");
       }});
  steps.push_back(
      {"encrypt", "AES-CTR", aes.describe(),
       [aes](CryptoBackend& token, CryptoBackend& software) -> Result<void> {
         CRATON_ASSIGN_OR_RETURN(const Bytes on_token, token.aes_ctr(aes, kIv, kMessage));
         CRATON_ASSIGN_OR_RETURN(const Bytes in_software, software.aes_ctr(aes, kIv, kMessage));
         return expect(on_token == in_software, "identical CTR keystream");
       }});
  steps.push_back({"wrap + unwrap", "AES-KW (RFC 3394)", aes.describe(),
                   [aes](CryptoBackend& token, CryptoBackend& software) -> Result<void> {
                     const SecretBytes secret(Bytes(32, 0x42));
                     CRATON_ASSIGN_OR_RETURN(const Bytes wrapped,
                                             token.wrap_key(aes, KeyWrapScheme::AesKw, secret));
                     CRATON_ASSIGN_OR_RETURN(
                         const SecretBytes unwrapped,
                         software.unwrap_key(aes, KeyWrapScheme::AesKw, wrapped));
                     return expect(unwrapped.equals(secret), "software unwraps the token's wrap");
                   }});
  const Key rsa = keys.rsa;
  steps.push_back(
      {"encrypt + decrypt", "RSA-OAEP-SHA256", rsa.describe(),
       [rsa](CryptoBackend& token, CryptoBackend& software) -> Result<void> {
         CRATON_ASSIGN_OR_RETURN(const Bytes ciphertext,
                                 software.rsa_oaep_encrypt(rsa, HashAlg::Sha256, kMessage, {}));
         CRATON_ASSIGN_OR_RETURN(const SecretBytes plain,
                                 token.rsa_oaep_decrypt(rsa, HashAlg::Sha256, ciphertext, {}));
         return expect(same(plain.expose(), kMessage), "token decrypts software's OAEP");
       }});
  const Key ec = keys.ec_p256;
  const Key peer = keys.ec_peer;
  steps.push_back(
      {"key agreement", "ECDH P-256", ec.describe(),
       [ec, peer](CryptoBackend& token, CryptoBackend& software) -> Result<void> {
         CRATON_ASSIGN_OR_RETURN(const Key peer_public, peer.public_key());
         CRATON_ASSIGN_OR_RETURN(const Key ours_public, ec.public_key());
         CRATON_ASSIGN_OR_RETURN(const SecretBytes on_token, token.ecdh(ec, peer_public));
         CRATON_ASSIGN_OR_RETURN(const SecretBytes in_software, software.ecdh(peer, ours_public));
         return expect(on_token.equals(in_software), "both sides derive one secret");
       }});
  const Key hmac = keys.hmac;
  steps.push_back(
      {"mac + verify", "HMAC-SHA256", hmac.describe(),
       [hmac](CryptoBackend& token, CryptoBackend& software) -> Result<void> {
         CRATON_ASSIGN_OR_RETURN(const Bytes tag, token.hmac(hmac, HashAlg::Sha256, kMessage));
         CRATON_ASSIGN_OR_RETURN(const VerifyOutcome outcome,
                                 software.hmac_verify(hmac, HashAlg::Sha256, kMessage, tag));
         return expect(outcome == VerifyOutcome::Valid, "software accepts the token's tag");
       }});
  for (const HashAlg hash : {HashAlg::Sha256, HashAlg::Sha512}) {
    steps.push_back({"digest", std::string(hash_name(hash)), "-",
                     [hash](CryptoBackend& token, CryptoBackend& software) -> Result<void> {
                       CRATON_ASSIGN_OR_RETURN(const Bytes on_token, token.digest(hash, kMessage));
                       CRATON_ASSIGN_OR_RETURN(const Bytes in_software,
                                               software.digest(hash, kMessage));
                       return expect(on_token == in_software, "identical digests");
                     }});
  }
  steps.push_back({"random", "C_GenerateRandom", "-",
                   [](CryptoBackend& token, CryptoBackend& /*software*/) -> Result<void> {
                     CRATON_ASSIGN_OR_RETURN(const Bytes first, token.random(32));
                     CRATON_ASSIGN_OR_RETURN(const Bytes second, token.random(32));
                     return expect(first.size() == 32 && first != second, "32 fresh bytes");
                   }});
  steps.push_back(
      {"generate key", "EC P-256 (on token)", "-",
       [](CryptoBackend& token, CryptoBackend& software) -> Result<void> {
         CRATON_ASSIGN_OR_RETURN(const Key key, token.generate_key(KeyAlgorithm::EcP256));
         CRATON_ASSIGN_OR_RETURN(const Bytes signature,
                                 token.sign(key, SignScheme::EcdsaP256Sha256, kMessage));
         CRATON_ASSIGN_OR_RETURN(
             const VerifyOutcome outcome,
             software.verify(key, SignScheme::EcdsaP256Sha256, kMessage, signature));
         return expect(outcome == VerifyOutcome::Valid, "the token's key signs");
       }});
  return steps;
}

}  // namespace craton::hsm::cli
