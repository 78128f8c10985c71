// SPDX-License-Identifier: Apache-2.0
// SHA-2 digests, one-shot and incremental.
#include <fmt/format.h>

#include "backends/common/openssl_util.h"
#include "backends/software/software_backend.h"
#include "keys/openssl_ptr.h"

namespace craton::hsm::software {

using common::data_or_empty;
using common::openssl_failure;

namespace {

// One EVP_MD_CTX per stream. Not thread-safe: a stream belongs to one caller at a time.
class SoftwareDigestStream final : public DigestStream {
 public:
  SoftwareDigestStream(ossl::MdCtxPtr ctx, std::size_t max_update)
      : ctx_(std::move(ctx)), max_update_(max_update) {}

  Result<void> update(ByteView data) override {
    CRATON_RETURN_IF_ERROR(check_open());
    // The backend's size limit applies to each piece: streaming exists for long inputs.
    if (data.size() > max_update_) {
      return fail(ErrorCode::DataLenRange,
                  fmt::format("digest update of {} bytes exceeds the limit of {} bytes",
                              data.size(), max_update_));
    }
    if (!data.empty() && EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
      return openssl_failure("EVP_DigestUpdate");
    }
    return {};
  }

  Result<Bytes> finish() override {
    CRATON_RETURN_IF_ERROR(check_open());
    finished_ = true;
    Bytes out(static_cast<std::size_t>(EVP_MD_CTX_get_size(ctx_.get())));
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &size) != 1 || size != out.size()) {
      return openssl_failure("EVP_DigestFinal_ex");
    }
    return out;
  }

 private:
  [[nodiscard]] Result<void> check_open() const {
    if (finished_) return fail(ErrorCode::InvalidArgument, "digest stream already finished");
    return {};
  }

  ossl::MdCtxPtr ctx_;
  std::size_t max_update_;
  bool finished_ = false;
};

}  // namespace

Result<Bytes> SoftwareBackend::digest(HashAlg hash, ByteView data) {
  CRATON_RETURN_IF_ERROR(check_input_size(data.size(), "data"));
  CRATON_ASSIGN_OR_RETURN(const EVP_MD* md, algorithms_.digest(hash));
  Bytes out(digest_size(hash));
  unsigned int size = 0;
  if (EVP_Digest(data_or_empty(data), data.size(), out.data(), &size, md, nullptr) != 1 ||
      size != out.size()) {
    return openssl_failure("EVP_Digest");
  }
  return out;
}

Result<std::unique_ptr<DigestStream>> SoftwareBackend::digest_stream(HashAlg hash) {
  CRATON_ASSIGN_OR_RETURN(const EVP_MD* md, algorithms_.digest(hash));
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return openssl_failure("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1) return openssl_failure("EVP_DigestInit_ex2");
  return std::make_unique<SoftwareDigestStream>(std::move(ctx), options_.max_message_bytes);
}

}  // namespace craton::hsm::software
