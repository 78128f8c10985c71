// SPDX-License-Identifier: Apache-2.0
// The backend side of each benchmark operation.
#include "bench/backend_ops.h"

namespace craton::hsm::bench {
namespace {

template <typename T>
Result<void> drop(Result<T> result) {
  if (!result) return std::unexpected(std::move(result).error());
  return {};
}

}  // namespace

std::size_t output_capacity(RawOp op, std::size_t message_size) noexcept {
  return op == RawOp::AesGcmEncrypt ? kGcmIvSize + message_size + kGcmTagSize : 0;
}

Result<void> run_backend_op(CryptoBackend& backend, RawOp op, const Key* key,
                            const OperationInputs& in, std::span<std::uint8_t> output) {
  if (key == nullptr && op != RawOp::Sha256 && op != RawOp::Random) {
    return fail(ErrorCode::InvalidArgument, "benchmark operation needs a key");
  }
  switch (op) {
    case RawOp::EcdsaP256Sign:
      return drop(backend.sign(*key, SignScheme::EcdsaP256Sha256, in.message));
    case RawOp::EcdsaP256Verify: {
      CRATON_ASSIGN_OR_RETURN(
          const VerifyOutcome outcome,
          backend.verify(*key, SignScheme::EcdsaP256Sha256, in.message, in.signature));
      if (outcome != VerifyOutcome::Valid) {
        return fail(ErrorCode::Internal, "benchmark signature did not verify");
      }
      return {};
    }
    case RawOp::RsaPkcs1v15Sha256Sign:
      return drop(backend.sign(*key, SignScheme::RsaPkcs1v15Sha256, in.message));
    case RawOp::RsaPssSha256Sign:
      return drop(backend.sign(*key, SignScheme::RsaPssSha256, in.message));
    case RawOp::Ed25519Sign:
      return drop(backend.sign(*key, SignScheme::Ed25519, in.message));
    case RawOp::AesGcmEncrypt:
      return drop(backend.aes_gcm_encrypt_into(*key, in.message, {}, output));
    case RawOp::HmacSha256:
      return drop(backend.hmac(*key, HashAlg::Sha256, in.message));
    case RawOp::Sha256:
      return drop(backend.digest(HashAlg::Sha256, in.message));
    case RawOp::Random:
      return drop(backend.random(in.message.size()));
  }
  return fail(ErrorCode::Internal, "unknown benchmark operation");
}

}  // namespace craton::hsm::bench
