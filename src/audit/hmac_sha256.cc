// SPDX-License-Identifier: Apache-2.0
// HMAC-SHA-256 on OpenSSL 3's EVP_MAC, and the key-file loader that feeds it.
#include "audit/hmac_sha256.h"

#include "audit/json_escape.h"
#include "audit/posix_io.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <fmt/format.h>

namespace craton::hsm::audit {

struct HmacSha256::State {
  SecretBytes key;
  EVP_MAC* algorithm = nullptr;
  EVP_MAC_CTX* keyed = nullptr;  // initialised with the key once; only ever duplicated

  ~State() {
    EVP_MAC_CTX_free(keyed);  // OpenSSL cleanses the key-derived pads it holds
    EVP_MAC_free(algorithm);
  }
};

HmacSha256::HmacSha256(std::unique_ptr<State> state) : state_(std::move(state)) {}
HmacSha256::~HmacSha256() = default;

Result<std::unique_ptr<HmacSha256>> HmacSha256::create(SecretBytes key) {
  auto state = std::make_unique<State>();
  state->key = std::move(key);
  // Fetched once: a fetch per record would take OpenSSL's provider lock every time.
  state->algorithm = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (state->algorithm != nullptr) state->keyed = EVP_MAC_CTX_new(state->algorithm);
  if (state->keyed == nullptr) return fail(ErrorCode::Internal, "OpenSSL has no HMAC");
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  const auto key_bytes = state->key.expose();
  if (EVP_MAC_init(state->keyed, key_bytes.data(), key_bytes.size(), params) != 1) {
    return fail(ErrorCode::Internal, "cannot initialise HMAC-SHA-256");
  }
  return std::unique_ptr<HmacSha256>(new HmacSha256(std::move(state)));
}

Result<std::array<std::uint8_t, 32>> HmacSha256::mac(std::span<const std::uint8_t> data) {
  // Duplicating only reads the keyed context, so concurrent callers need no lock.
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(state_->keyed);
  if (ctx == nullptr) return fail(ErrorCode::Internal, "HMAC-SHA-256: cannot copy context");
  std::array<std::uint8_t, 32> out{};
  std::size_t length = 0;
  const bool ok = EVP_MAC_update(ctx, data.data(), data.size()) == 1 &&
                  EVP_MAC_final(ctx, out.data(), &length, out.size()) == 1 && length == 32;
  EVP_MAC_CTX_free(ctx);
  if (!ok) return fail(ErrorCode::Internal, "HMAC-SHA-256 failed");
  return out;
}

Result<std::string> mac_hex(AuditMac& mac, std::span<const std::uint8_t> data) {
  CRATON_ASSIGN_OR_RETURN(const auto bytes, mac.mac(data));
  std::string hex;
  hex.reserve(64);
  append_hex(hex, bytes);
  return hex;
}

Result<std::string> mac_hex(AuditMac& mac, std::string_view data) {
  return mac_hex(mac, std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

}  // namespace craton::hsm::audit

namespace craton::hsm {

Result<std::unique_ptr<AuditMac>> make_key_file_audit_mac(const std::filesystem::path& key_file) {
  constexpr std::size_t kMin = 32;
  constexpr std::size_t kMax = 64;
  CRATON_ASSIGN_OR_RETURN(auto fd, audit::open_private_file(key_file, audit::OpenFor::ReadKey));
  // One byte more than allowed, so an oversized file is noticed rather than silently cut.
  auto key = SecretBytes::zeroed(kMax + 1);
  CRATON_ASSIGN_OR_RETURN(const std::size_t n, audit::read_fully(fd, key.expose_mut()));
  if (n < kMin || n > kMax) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("audit key file {}: must hold {}..{} bytes, found {}{}",
                            key_file.string(), kMin, kMax, n, n > kMax ? " or more" : ""));
  }
  key.truncate(n);
  CRATON_ASSIGN_OR_RETURN(auto mac, audit::HmacSha256::create(std::move(key)));
  return std::unique_ptr<AuditMac>(std::move(mac));
}

}  // namespace craton::hsm
