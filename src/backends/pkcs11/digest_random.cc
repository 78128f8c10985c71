// SPDX-License-Identifier: Apache-2.0
// Digests (one-shot and streaming) and random bytes from the token.
#include <array>

#include <fmt/format.h>

#include "backends/pkcs11/mechanisms.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "pkcs11/session/input.h"
#include "pkcs11/session/output_length.h"

namespace craton::hsm::pkcs11 {
namespace {

constexpr std::size_t kMaxRandomBytes = 65536;

// Holds one pooled session (its lease) from digest_stream() until finish(), a failure or
// destruction, on whichever thread: PKCS#11 digests are per-session state. The stream ends
// the token's operation itself (the final call), so the session goes back to the pool
// without a rebuild; should that final call fail, the lease sees the operation still active
// and has the session rebuilt. Like any stream object, one thread at a time.
class TokenDigestStream final : public DigestStream {
 public:
  TokenDigestStream(std::shared_ptr<SessionPool> pool, Lease lease, std::size_t length,
                    std::uint64_t max_bytes)
      : pool_(std::move(pool)), lease_(std::move(lease)), length_(length), max_bytes_(max_bytes) {}
  TokenDigestStream(const TokenDigestStream&) = delete;
  TokenDigestStream& operator=(const TokenDigestStream&) = delete;
  ~TokenDigestStream() override { abandon(); }

  Result<void> update(ByteView data) override {
    CRATON_RETURN_IF_ERROR(check_open());
    // The limit bounds each piece, not the stream: streams exist for inputs of any length.
    if (data.size() > max_bytes_) {
      abandon();
      return fail(ErrorCode::DataLenRange,
                  fmt::format("digest update of {} bytes exceeds max_message_bytes ({}); the "
                              "stream is closed",
                              data.size(), max_bytes_));
    }
    auto updated = lease_->call<Fn::DigestUpdate>(input_ptr(data), input_len(data));
    // A failed C_DigestUpdate ended the token's digest (PKCS#11 v2.40 §5.10), and a digest of
    // part of the input must never come out of finish().
    if (!updated) lease_.reset();
    return updated;
  }

  Result<Bytes> finish() override {
    CRATON_RETURN_IF_ERROR(check_open());
    Bytes digest(length_);
    CK_ULONG length = digest.size();
    auto done = lease_->call<Fn::DigestFinal>(digest.data(), &length);
    lease_.reset();  // hand the session back as soon as we are done
    CRATON_RETURN_IF_ERROR(done);
    CRATON_RETURN_IF_ERROR(
        output_length(Fn::DigestFinal, length, digest.size(), ExpectedLength::exactly(length_)));
    return digest;
  }

 private:
  Result<void> check_open() const {
    if (!lease_) {
      return fail(ErrorCode::InvalidArgument,
                  "digest stream has ended (finished, failed or past max_message_bytes)");
    }
    return {};
  }
  // Ends the operation without a result: the spec has no cancel call, only the final call,
  // here into room for any digest (a NULL buffer would only ask for the length).
  void abandon() noexcept {
    if (!lease_) return;
    std::array<std::uint8_t, kMaxDigestSize> scratch{};
    CK_ULONG length = scratch.size();
    (void)lease_->invoke<Fn::DigestFinal>(scratch.data(), &length);
    lease_.reset();
  }

  std::shared_ptr<SessionPool> pool_;  // outlives lease_ (declared first, destroyed last)
  std::optional<Lease> lease_;         // empty once the stream has ended
  std::size_t length_;
  std::uint64_t max_bytes_;
};

// The digest mechanism for `hash`, when the token lists it: one-shot and streaming digests
// check here before any token call (MechanismUnsupported naming CKM_SHA256 etc. otherwise).
Result<CK_MECHANISM_TYPE> digest_mechanism(const Capabilities& capabilities, HashAlg hash) {
  CRATON_RETURN_IF_ERROR(capabilities.table().require(digest_row(hash)));
  return capabilities.table().at(digest_row(hash)).mechanism;
}

}  // namespace

Result<Bytes> Pkcs11PassthroughBackend::digest(HashAlg hash, ByteView data) {
  CRATON_RETURN_IF_ERROR(check_input_size(data.size(), "digest input"));
  CRATON_ASSIGN_OR_RETURN(const CK_MECHANISM_TYPE type, digest_mechanism(capabilities_, hash));
  CK_MECHANISM mechanism{type, nullptr, 0};
  return run_limited(OperationClass::Other, [&](Lease& lease) -> Result<Bytes> {
    CRATON_RETURN_IF_ERROR(lease.call<Fn::DigestInit>(&mechanism));
    Bytes digest(digest_size(hash));
    CK_ULONG length = digest.size();
    CRATON_RETURN_IF_ERROR(
        lease.call<Fn::Digest>(input_ptr(data), input_len(data), digest.data(), &length));
    // Exactly the hash's size: never resized to what the module claims, never empty.
    CRATON_RETURN_IF_ERROR(
        output_length(Fn::Digest, length, digest.size(), ExpectedLength::exactly(digest.size())));
    return digest;
  });
}

Result<std::unique_ptr<DigestStream>> Pkcs11PassthroughBackend::digest_stream(HashAlg hash) {
  CRATON_ASSIGN_OR_RETURN(const CK_MECHANISM_TYPE type, digest_mechanism(capabilities_, hash));
  CK_MECHANISM mechanism{type, nullptr, 0};
  // Through run(), so a dead session is rebuilt and the init retried like any operation; the
  // lease leaves run() with the stream once C_DigestInit succeeded.
  CRATON_ASSIGN_OR_RETURN(Lease lease, pool_->run([&](Lease& leased) -> Result<Lease> {
    CRATON_RETURN_IF_ERROR(leased.call<Fn::DigestInit>(&mechanism));
    return std::move(leased);
  }));
  return std::unique_ptr<DigestStream>(std::make_unique<TokenDigestStream>(
      pool_, std::move(lease), digest_size(hash), config_.max_message_bytes));
}

Result<Bytes> Pkcs11PassthroughBackend::random(std::size_t size) {
  if (size == 0 || size > kMaxRandomBytes) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("random: size must be 1..{}, got {}", kMaxRandomBytes, size));
  }
  return run_limited(OperationClass::Other, [&](Lease& lease) -> Result<Bytes> {
    Bytes bytes(size);
    CRATON_RETURN_IF_ERROR(
        lease.call<Fn::GenerateRandom>(bytes.data(), static_cast<CK_ULONG>(bytes.size())));
    return bytes;
  });
}

}  // namespace craton::hsm::pkcs11
