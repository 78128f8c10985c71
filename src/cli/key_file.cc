// SPDX-License-Identifier: Apache-2.0
// Private key files through OpenSSL, into the library's Key factories.
#include "cli/key_file.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "keys/openssl_ptr.h"

namespace craton::hsm::cli {
namespace {

using BioPtr = std::unique_ptr<BIO, ossl::Deleter<BIO_free>>;

// Bytes OpenSSL allocated that may hold key material: wiped when freed.
struct ClearFree {
  std::size_t size = 0;
  void operator()(unsigned char* p) const noexcept { OPENSSL_clear_free(p, size); }
};
using OsslSecret = std::unique_ptr<unsigned char, ClearFree>;
struct OpensslFree {
  void operator()(char* p) const noexcept { OPENSSL_free(p); }
};
using OsslText = std::unique_ptr<char, OpensslFree>;

std::string_view text_of(const SecretBytes& content) {
  const auto bytes = content.expose();
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Fails with `message`, leaving nothing of this attempt in OpenSSL's error queue.
std::unexpected<HsmError> refuse(ErrorCode code, std::string message) {
  ERR_clear_error();
  return fail(code, std::move(message));
}

// What a DER structure that is not a private key is, for a useful refusal.
std::optional<std::string_view> other_structure(std::span<const std::uint8_t> der) {
  const auto parses = [&](auto d2i, auto free) {
    const unsigned char* cursor = der.data();
    auto* parsed = d2i(nullptr, &cursor, static_cast<long>(der.size()));
    if (parsed == nullptr) return false;
    free(parsed);
    return cursor == der.data() + der.size();
  };
  if (parses(d2i_X509_SIG, X509_SIG_free)) return "an encrypted private key";
  if (parses(d2i_X509, X509_free)) return "a certificate (import it with --cert)";
  if (parses(d2i_PUBKEY, EVP_PKEY_free)) return "a public key, not a private key";
  return std::nullopt;
}

Result<ossl::PkeyPtr> decode_der(std::span<const std::uint8_t> der, std::string_view name) {
  if (const auto other = other_structure(der)) {
    if (*other == "an encrypted private key") {
      return refuse(ErrorCode::InvalidArgument,
                    fmt::format("{} holds an encrypted private key; decrypt it into a pipe "
                                "(openssl pkey -in FILE | craton-hsm import --in -)",
                                name));
    }
    return refuse(ErrorCode::InvalidArgument, fmt::format("{} holds {}", name, *other));
  }
  const unsigned char* cursor = der.data();
  ossl::PkeyPtr pkey(d2i_AutoPrivateKey(nullptr, &cursor, static_cast<long>(der.size())));
  if (!pkey || cursor != der.data() + der.size()) {
    return refuse(
        ErrorCode::InvalidArgument,
        fmt::format("{} is not a whole PKCS#8, SEC1 or PKCS#1 private key (PEM or DER)", name));
  }
  return pkey;
}

// The first PEM block of `text`: its label, whether its headers say it is encrypted, and its
// bytes (wiped when freed: a key pasted in by mistake must not linger either).
struct PemBlock {
  std::string kind;
  bool encrypted_header = false;
  SecretBytes der;
};

Result<PemBlock> read_pem_block(std::string_view text, std::string_view name) {
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) return refuse(ErrorCode::Internal, "out of memory");
  char* label = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  const int read = PEM_read_bio(bio.get(), &label, &header, &data, &length);
  const OsslText label_owner(label);
  const OsslText header_owner(header);
  const OsslSecret data_owner(data, ClearFree{static_cast<std::size_t>(std::max(length, 0L))});
  if (read != 1 || length <= 0) {
    return refuse(ErrorCode::InvalidArgument, fmt::format("{} is not a readable PEM block", name));
  }
  return PemBlock{
      label, std::strstr(header, "ENCRYPTED") != nullptr,
      SecretBytes(std::span<const std::uint8_t>(data, static_cast<std::size_t>(length)))};
}

// The DER inside a PEM private key. Encrypted PEM (an ENCRYPTED PRIVATE KEY block, or
// Proc-Type: 4,ENCRYPTED) is refused rather than prompted for.
Result<SecretBytes> pem_body(const SecretBytes& content, std::string_view name) {
  CRATON_ASSIGN_OR_RETURN(PemBlock block, read_pem_block(text_of(content), name));
  const std::string_view kind = block.kind;
  if (kind == "ENCRYPTED PRIVATE KEY" || block.encrypted_header) {
    return refuse(ErrorCode::InvalidArgument,
                  fmt::format("{} holds an encrypted private key; decrypt it into a pipe "
                              "(openssl pkey -in FILE | craton-hsm import --in -)",
                              name));
  }
  if (kind != "PRIVATE KEY" && kind != "EC PRIVATE KEY" && kind != "RSA PRIVATE KEY") {
    const bool cert = kind == "CERTIFICATE" || kind == "TRUSTED CERTIFICATE";
    return refuse(
        ErrorCode::InvalidArgument,
        fmt::format("{} holds a PEM '{}' block, not a private key{}", name, kind.substr(0, 40),
                    cert ? " (import certificates with --cert)" : ""));
  }
  return std::move(block.der);
}

Result<Key> ec_key(const EVP_PKEY* pkey, std::string_view name) {
  std::array<char, 64> group{};
  std::size_t group_length = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                     &group_length) != 1) {
    return refuse(ErrorCode::KeyTypeInconsistent,
                  fmt::format("{} holds an EC key without a named curve", name));
  }
  const std::string_view curve_name(group.data(), group_length);
  std::optional<EcCurve> curve;
  std::size_t field_bytes = 0;
  if (curve_name == "prime256v1" || curve_name == "P-256") {
    curve = EcCurve::P256;
    field_bytes = 32;
  } else if (curve_name == "secp384r1" || curve_name == "P-384") {
    curve = EcCurve::P384;
    field_bytes = 48;
  } else {
    return refuse(ErrorCode::KeyTypeInconsistent,
                  fmt::format("{} holds an EC key on {}; only P-256 and P-384 are supported", name,
                              curve_name.substr(0, 40)));
  }
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
    return refuse(ErrorCode::InvalidArgument, fmt::format("{} holds no EC private scalar", name));
  }
  const ossl::BignumPtr scalar(raw);
  SecretBytes bytes = SecretBytes::zeroed(field_bytes);
  if (BN_bn2binpad(scalar.get(), bytes.expose_mut().data(), static_cast<int>(field_bytes)) < 0) {
    return refuse(ErrorCode::InvalidArgument,
                  fmt::format("{} holds an EC scalar too large for its curve", name));
  }
  return Key::ec_private(*curve, bytes.expose());
}

Result<Key> rsa_key(const EVP_PKEY* pkey, std::string_view name) {
  const std::unique_ptr<PKCS8_PRIV_KEY_INFO, ossl::Deleter<PKCS8_PRIV_KEY_INFO_free>> info(
      EVP_PKEY2PKCS8(pkey));
  unsigned char* der = nullptr;
  const int length = info ? i2d_PKCS8_PRIV_KEY_INFO(info.get(), &der) : -1;
  const OsslSecret der_owner(der, ClearFree{static_cast<std::size_t>(std::max(length, 0))});
  if (length <= 0) {
    return refuse(ErrorCode::InvalidArgument,
                  fmt::format("{}: the RSA key cannot be encoded", name));
  }
  return Key::rsa_private_pkcs8(
      std::span<const std::uint8_t>(der, static_cast<std::size_t>(length)));
}

Result<Key> ed25519_key(const EVP_PKEY* pkey, std::string_view name) {
  SecretBytes seed = SecretBytes::zeroed(32);
  std::size_t length = seed.size();
  if (EVP_PKEY_get_raw_private_key(pkey, seed.expose_mut().data(), &length) != 1 || length != 32) {
    return refuse(ErrorCode::InvalidArgument, fmt::format("{} holds no Ed25519 private key", name));
  }
  return Key::ed25519_private(seed.expose());
}

}  // namespace

Result<Key> parse_private_key_file(const SecretBytes& content, std::string_view name) {
  if (content.empty()) {
    return fail(ErrorCode::InvalidArgument, fmt::format("{} is empty", name));
  }
  std::optional<SecretBytes> pem_der;
  if (text_of(content).find("-----BEGIN ") != std::string_view::npos) {
    CRATON_ASSIGN_OR_RETURN(pem_der, pem_body(content, name));
  }
  const auto der = pem_der ? pem_der->expose() : content.expose();
  CRATON_ASSIGN_OR_RETURN(const ossl::PkeyPtr pkey, decode_der(der, name));
  switch (EVP_PKEY_get_base_id(pkey.get())) {
    case EVP_PKEY_RSA:
      return rsa_key(pkey.get(), name);
    case EVP_PKEY_EC:
      return ec_key(pkey.get(), name);
    case EVP_PKEY_ED25519:
      return ed25519_key(pkey.get(), name);
    default:
      return refuse(
          ErrorCode::KeyTypeInconsistent,
          fmt::format("{} holds a {} key; RSA, EC (P-256, P-384) and Ed25519 keys can be imported",
                      name,
                      EVP_PKEY_get0_type_name(pkey.get()) ? EVP_PKEY_get0_type_name(pkey.get())
                                                          : "unknown"));
  }
}

Result<Bytes> parse_certificate_file(ByteView content, std::string_view name) {
  if (content.empty()) return fail(ErrorCode::InvalidArgument, fmt::format("{} is empty", name));
  const std::string_view text(reinterpret_cast<const char*>(content.data()), content.size());
  if (text.find("-----BEGIN ") == std::string_view::npos)
    return Bytes(content.begin(), content.end());
  CRATON_ASSIGN_OR_RETURN(const PemBlock block, read_pem_block(text, name));
  const std::string_view kind = block.kind;
  if (kind != "CERTIFICATE") {
    const bool key = kind.find("PRIVATE KEY") != std::string_view::npos;
    return refuse(ErrorCode::InvalidArgument,
                  fmt::format("{} holds a PEM '{}' block, not a certificate{}", name,
                              kind.substr(0, 40), key ? " (import private keys with --in)" : ""));
  }
  const auto der = block.der.expose();
  return Bytes(der.begin(), der.end());
}

Result<Key> parse_raw_aes_file(const SecretBytes& content, std::string_view name) {
  if (content.size() != 16 && content.size() != 24 && content.size() != 32) {
    return fail(
        ErrorCode::KeySizeRange,
        fmt::format("{} is {} bytes; a raw AES key is 16, 24 or 32 bytes", name, content.size()));
  }
  return Key::aes(content.expose());
}

}  // namespace craton::hsm::cli
