// SPDX-License-Identifier: Apache-2.0
// Digests (one-shot and streaming) and random bytes from the token.
#include <fmt/format.h>

#include "backends/pkcs11/mechanisms.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "pkcs11/session/input.h"

namespace craton::hsm::pkcs11 {
namespace {

constexpr std::size_t kMaxRandomBytes = 65536;

// Holds one pooled session for its whole life: PKCS#11 digests are per-session state, so a
// stream occupies a session until finish() (or destruction, which abandons the operation by
// letting the pool rebuild nothing: the next C_DigestInit on that session replaces it).
class TokenDigestStream final : public DigestStream {
 public:
  TokenDigestStream(std::shared_ptr<SessionPool> pool, Lease lease, std::size_t length,
                    std::uint64_t max_bytes)
      : pool_(std::move(pool)), lease_(std::move(lease)), length_(length), max_bytes_(max_bytes) {}

  Result<void> update(ByteView data) override {
    CRATON_RETURN_IF_ERROR(check_open());
    total_ += data.size();
    if (total_ > max_bytes_) {
      finished_ = true;
      return fail(ErrorCode::DataLenRange, "digest input exceeds max_message_bytes");
    }
    return lease_->call<Fn::DigestUpdate>(input_ptr(data), input_len(data));
  }

  Result<Bytes> finish() override {
    CRATON_RETURN_IF_ERROR(check_open());
    finished_ = true;
    Bytes digest(length_);
    CK_ULONG length = digest.size();
    CRATON_RETURN_IF_ERROR(lease_->call<Fn::DigestFinal>(digest.data(), &length));
    digest.resize(length);
    lease_.reset();  // hand the session back as soon as we are done
    return digest;
  }

  ~TokenDigestStream() override {
    if (!finished_ && lease_) {
      // End the pending operation so the next user of the session starts clean (a final
      // call with a null buffer would only query the length; one byte is too small).
      Bytes scratch(length_);
      CK_ULONG length = scratch.size();
      (void)lease_->call<Fn::DigestFinal>(scratch.data(), &length);
    }
  }

 private:
  Result<void> check_open() const {
    if (finished_) return fail(ErrorCode::InvalidArgument, "digest stream already finished");
    return {};
  }
  std::shared_ptr<SessionPool> pool_;  // outlives lease_ (declared first, destroyed last)
  std::optional<Lease> lease_;
  std::size_t length_;
  std::uint64_t max_bytes_;
  std::uint64_t total_ = 0;
  bool finished_ = false;
};

}  // namespace

Result<Bytes> Pkcs11PassthroughBackend::digest(HashAlg hash, ByteView data) {
  CRATON_RETURN_IF_ERROR(check_input_size(data.size(), "digest input"));
  CK_MECHANISM mechanism{hash_mechanisms(hash).digest, nullptr, 0};
  return pool_->run([&](Lease& lease) -> Result<Bytes> {
    CRATON_RETURN_IF_ERROR(lease.call<Fn::DigestInit>(&mechanism));
    Bytes digest(digest_size(hash));
    CK_ULONG length = digest.size();
    CRATON_RETURN_IF_ERROR(
        lease.call<Fn::Digest>(input_ptr(data), input_len(data), digest.data(), &length));
    digest.resize(length);
    return digest;
  });
}

Result<std::unique_ptr<DigestStream>> Pkcs11PassthroughBackend::digest_stream(HashAlg hash) {
  CK_MECHANISM mechanism{hash_mechanisms(hash).digest, nullptr, 0};
  CRATON_ASSIGN_OR_RETURN(Lease lease, pool_->acquire());
  CRATON_RETURN_IF_ERROR(lease.call<Fn::DigestInit>(&mechanism));
  return std::unique_ptr<DigestStream>(std::make_unique<TokenDigestStream>(
      pool_, std::move(lease), digest_size(hash), config_.max_message_bytes));
}

Result<Bytes> Pkcs11PassthroughBackend::random(std::size_t size) {
  if (size == 0 || size > kMaxRandomBytes) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("random: size must be 1..{}, got {}", kMaxRandomBytes, size));
  }
  return pool_->run([&](Lease& lease) -> Result<Bytes> {
    Bytes bytes(size);
    CRATON_RETURN_IF_ERROR(
        lease.call<Fn::GenerateRandom>(bytes.data(), static_cast<CK_ULONG>(bytes.size())));
    return bytes;
  });
}

}  // namespace craton::hsm::pkcs11
