// SPDX-License-Identifier: Apache-2.0
// HMAC-SHA-256 (RFC 2104) over OpenSSL's SHA-256 block functions, and the key-file loader
// that feeds it.
//
// Why not EVP_MAC: the writer MACs every record while the audited operations run OpenSSL on
// other threads (the token's own digests, in SoftHSM2). EVP re-initialisation takes and drops
// references on the process-wide SHA-256 method and OpenSSL's locks on every record; those
// shared cache lines cost the *operations* several percent (perf, docs/performance.md). The
// SHA-256 context is a plain structure: copying the keyed inner and outer states shares
// nothing, allocates nothing and needs no lock. The 1.1.1 API level keeps these (deprecated
// in 3.0, still provided and SHA-NI accelerated) functions available without warnings.
#define OPENSSL_API_COMPAT 10101

#include "audit/hmac_sha256.h"

#include "audit/posix_io.h"
#include "core/hex.h"

#include <openssl/sha.h>

#include <fmt/format.h>

namespace craton::hsm::audit {

// The SHA-256 states after absorbing key ^ ipad and key ^ opad: everything mac() needs, and as
// secret as the key itself (cleansed on destruction; the key bytes are not kept).
struct HmacSha256::State {
  SHA256_CTX inner{};
  SHA256_CTX outer{};

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    secure_wipe(&inner, sizeof inner);
    secure_wipe(&outer, sizeof outer);
  }
};

HmacSha256::HmacSha256(std::unique_ptr<State> state) : state_(std::move(state)) {}
HmacSha256::~HmacSha256() = default;

Result<std::unique_ptr<HmacSha256>> HmacSha256::create(SecretBytes key) {
  // RFC 2104: a key longer than the block is hashed first, a shorter one zero-padded.
  SecretBytes block = SecretBytes::zeroed(SHA256_CBLOCK);
  const auto key_bytes = key.expose();
  if (key_bytes.size() > SHA256_CBLOCK) {
    SHA256(key_bytes.data(), key_bytes.size(), block.expose_mut().data());
  } else {
    std::copy(key_bytes.begin(), key_bytes.end(), block.expose_mut().begin());
  }
  auto state = std::make_unique<State>();
  SecretBytes pad = SecretBytes::zeroed(SHA256_CBLOCK);
  const auto keyed = [&](SHA256_CTX& ctx, std::uint8_t mask) {
    for (std::size_t i = 0; i < SHA256_CBLOCK; ++i) {
      pad.expose_mut()[i] = static_cast<std::uint8_t>(block.expose()[i] ^ mask);
    }
    return SHA256_Init(&ctx) == 1 && SHA256_Update(&ctx, pad.expose().data(), SHA256_CBLOCK) == 1;
  };
  if (!keyed(state->inner, 0x36) || !keyed(state->outer, 0x5c)) {
    return fail(ErrorCode::Internal, "cannot initialise HMAC-SHA-256");
  }
  return std::unique_ptr<HmacSha256>(new HmacSha256(std::move(state)));
}

Result<std::array<std::uint8_t, 32>> HmacSha256::mac(std::span<const std::uint8_t> data) {
  std::array<std::uint8_t, 32> out{};
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> inner_hash{};
  SHA256_CTX ctx = state_->inner;  // a private copy: concurrent callers share nothing mutable
  bool ok = SHA256_Update(&ctx, data.data(), data.size()) == 1 &&
            SHA256_Final(inner_hash.data(), &ctx) == 1;
  ctx = state_->outer;
  ok = ok && SHA256_Update(&ctx, inner_hash.data(), inner_hash.size()) == 1 &&
       SHA256_Final(out.data(), &ctx) == 1;
  secure_wipe(&ctx, sizeof ctx);
  secure_wipe(inner_hash.data(), inner_hash.size());
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
