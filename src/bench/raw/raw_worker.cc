// SPDX-License-Identifier: Apache-2.0
// The baseline's timed operations: direct C_ calls on a dedicated session, into buffers sized
// once, with nothing between the caller and the module but the call counter.
#include <openssl/evp.h>

#include <array>
#include <vector>

#include "bench/raw/raw_state.h"
#include "bench/raw/raw_templates.h"

namespace craton::hsm::bench::raw {
namespace {

constexpr std::size_t kIvSize = 12;
constexpr std::size_t kTagSize = 16;
constexpr std::size_t kIvBatch = 4092;  // 341 IVs per C_GenerateRandom (about 4 KiB)
constexpr std::size_t kSha256Size = 32;

CK_BYTE_PTR in(std::span<const std::uint8_t> data) {
  static CK_BYTE nothing = 0;  // SoftHSM2 refuses a null pointer even for length 0
  return data.empty() ? &nothing : const_cast<CK_BYTE_PTR>(data.data());
}

class Worker final : public RawWorker {
 public:
  Worker(Session session, const RawInputs& inputs, std::unique_ptr<AttributeTemplate> tmpl)
      : session_(std::move(session)), inputs_(inputs), template_(std::move(tmpl)) {
    output_.resize(std::max<std::size_t>(inputs.data.size() + kIvSize + kTagSize, 1024));
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  ~Worker() override {
    if (owns_key_ && key_ != CK_INVALID_HANDLE) (void)session_.call<Fn::DestroyObject>(key_);
  }

  Result<void> create_key(CK_OBJECT_HANDLE& key) {
    return session_.call<Fn::CreateObject>(template_->data(), template_->size(), &key);
  }

  Result<void> create_key_object() { return create_key(key_); }

  // The resident-key counterpart: look the token object up once; its owner destroys it.
  Result<void> find_key_object(const RawTokenKey& key) {
    CRATON_ASSIGN_OR_RETURN(key_, find_token_key(session_, key));
    owns_key_ = false;
    return {};
  }

  Result<void> run() override {
    if (!inputs_.import_each_run) return operate(key_);
    CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
    CRATON_RETURN_IF_ERROR(create_key(key));
    const Result<void> done = operate(key);
    const Result<void> destroyed = session_.call<Fn::DestroyObject>(key);
    CRATON_RETURN_IF_ERROR(done);
    return destroyed;
  }

 private:
  Result<void> operate(CK_OBJECT_HANDLE key) {
    switch (inputs_.op) {
      case RawOp::EcdsaP256Sign:
        return sign_digest(key);
      case RawOp::EcdsaP256Verify:
        return verify_digest(key);
      case RawOp::RsaPkcs1v15Sha256Sign: {
        CK_MECHANISM mechanism{CKM_SHA256_RSA_PKCS, nullptr, 0};
        return sign(key, mechanism, inputs_.data);
      }
      case RawOp::RsaPssSha256Sign: {
        CK_RSA_PKCS_PSS_PARAMS params{CKM_SHA256, CKG_MGF1_SHA256, kSha256Size};
        CK_MECHANISM mechanism{CKM_SHA256_RSA_PKCS_PSS, &params, sizeof params};
        return sign(key, mechanism, inputs_.data);
      }
      case RawOp::Ed25519Sign: {
        CK_MECHANISM mechanism{CKM_EDDSA, nullptr, 0};
        return sign(key, mechanism, inputs_.data);
      }
      case RawOp::HmacSha256: {
        CK_MECHANISM mechanism{CKM_SHA256_HMAC, nullptr, 0};
        return sign(key, mechanism, inputs_.data);
      }
      case RawOp::AesGcmEncrypt:
        return gcm_encrypt(key);
      case RawOp::Sha256: {
        CK_MECHANISM mechanism{CKM_SHA256, nullptr, 0};
        CRATON_RETURN_IF_ERROR(session_.call<Fn::DigestInit>(&mechanism));
        CK_ULONG length = kSha256Size;
        return session_.call<Fn::Digest>(in(inputs_.data), CK_ULONG(inputs_.data.size()),
                                         output_.data(), &length);
      }
      case RawOp::Random:
        return session_.call<Fn::GenerateRandom>(output_.data(), CK_ULONG(inputs_.data.size()));
    }
    return fail(ErrorCode::Internal, "unknown raw operation");
  }

  // C_SignInit and one C_Sign into the output buffer, which is large enough for any of our
  // signatures: no length query.
  Result<void> sign(CK_OBJECT_HANDLE key, CK_MECHANISM& mechanism,
                    std::span<const std::uint8_t> data) {
    CRATON_RETURN_IF_ERROR(session_.call<Fn::SignInit>(&mechanism, key));
    CK_ULONG length = output_.size();
    return session_.call<Fn::Sign>(in(data), CK_ULONG(data.size()), output_.data(), &length);
  }

  // ECDSA over SHA-256 of the message, hashed on the host like the backend does.
  Result<void> hash_message() {
    unsigned int length = 0;
    if (EVP_Digest(in(inputs_.data), inputs_.data.size(), digest_.data(), &length, EVP_sha256(),
                   nullptr) != 1) {
      return fail(ErrorCode::Internal, "EVP_Digest failed");
    }
    return {};
  }

  Result<void> sign_digest(CK_OBJECT_HANDLE key) {
    CRATON_RETURN_IF_ERROR(hash_message());
    CK_MECHANISM mechanism{CKM_ECDSA, nullptr, 0};
    return sign(key, mechanism, digest_);
  }

  Result<void> verify_digest(CK_OBJECT_HANDLE key) {
    CRATON_RETURN_IF_ERROR(hash_message());
    CK_MECHANISM mechanism{CKM_ECDSA, nullptr, 0};
    CRATON_RETURN_IF_ERROR(session_.call<Fn::VerifyInit>(&mechanism, key));
    return session_.call<Fn::Verify>(digest_.data(), CK_ULONG(digest_.size()),
                                     in(inputs_.signature), CK_ULONG(inputs_.signature.size()));
  }

  Result<void> gcm_encrypt(CK_OBJECT_HANDLE key) {
    if (iv_next_ + kIvSize > ivs_.size()) {
      CRATON_RETURN_IF_ERROR(session_.call<Fn::GenerateRandom>(ivs_.data(), CK_ULONG(kIvBatch)));
      iv_next_ = 0;
    }
    // Output as the backend lays it out: iv ‖ ciphertext ‖ tag.
    std::copy_n(ivs_.data() + iv_next_, kIvSize, output_.data());
    iv_next_ += kIvSize;
    static CK_BYTE no_aad = 0;
    CK_GCM_PARAMS params{output_.data(), kIvSize, kIvSize * 8, &no_aad, 0, kTagSize * 8};
    CK_MECHANISM mechanism{CKM_AES_GCM, &params, sizeof params};
    CRATON_RETURN_IF_ERROR(session_.call<Fn::EncryptInit>(&mechanism, key));
    CK_ULONG length = inputs_.data.size() + kTagSize;
    return session_.call<Fn::Encrypt>(in(inputs_.data), CK_ULONG(inputs_.data.size()),
                                      output_.data() + kIvSize, &length);
  }

  Session session_;
  RawInputs inputs_;
  std::unique_ptr<AttributeTemplate> template_;
  CK_OBJECT_HANDLE key_ = CK_INVALID_HANDLE;
  bool owns_key_ = true;
  std::vector<std::uint8_t> output_;
  std::array<std::uint8_t, kSha256Size> digest_{};
  std::array<std::uint8_t, kIvBatch> ivs_{};
  std::size_t iv_next_ = kIvBatch;  // empty: the first encryption draws a batch
};

}  // namespace

Result<std::unique_ptr<RawWorker>> make_worker(const RawToken::State& state,
                                               const RawInputs& inputs) {
  std::unique_ptr<AttributeTemplate> tmpl;
  const bool keyed = inputs.op != RawOp::Sha256 && inputs.op != RawOp::Random;
  if (keyed && inputs.token_key != nullptr) {
    CRATON_ASSIGN_OR_RETURN(Session session, Session::open(state.module, state.slot));
    auto worker = std::make_unique<Worker>(std::move(session), inputs, nullptr);
    CRATON_RETURN_IF_ERROR(worker->find_key_object(*inputs.token_key));
    return std::unique_ptr<RawWorker>(std::move(worker));
  }
  if (keyed) {
    if (inputs.key == nullptr) return fail(ErrorCode::InvalidArgument, "raw case needs a key");
    tmpl = std::make_unique<AttributeTemplate>();
    CRATON_RETURN_IF_ERROR(key_template(*tmpl, inputs.key->material(), inputs.op, state.logged_in));
  }
  CRATON_ASSIGN_OR_RETURN(Session session, Session::open(state.module, state.slot));
  auto worker = std::make_unique<Worker>(std::move(session), inputs, std::move(tmpl));
  if (keyed && !inputs.import_each_run) CRATON_RETURN_IF_ERROR(worker->create_key_object());
  return std::unique_ptr<RawWorker>(std::move(worker));
}

}  // namespace craton::hsm::bench::raw
