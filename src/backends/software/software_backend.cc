// SPDX-License-Identifier: Apache-2.0
// SoftwareBackend's construction, name, shared input checks, random bytes and key generation.
#include "backends/software/software_backend.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "backends/common/key_checks.h"
#include "backends/common/openssl_keygen.h"
#include "backends/common/openssl_util.h"
#include "keys/key_material.h"

namespace craton::hsm {

std::unique_ptr<CryptoBackend> make_software_backend(SoftwareBackendOptions options) {
  return std::make_unique<software::SoftwareBackend>(options);
}

}  // namespace craton::hsm

namespace craton::hsm::software {

using common::AesMode;
using common::openssl_failure;
using common::require_in_memory;
using common::require_kind;

namespace {

// The largest request random() serves in one call.
constexpr std::size_t kMaxRandomBytes = 65536;

}  // namespace

SoftwareBackend::SoftwareBackend(SoftwareBackendOptions options)
    // OPENSSL_VERSION_STRING is just "3.0.x"; the full OPENSSL_VERSION text adds a build date.
    : options_(options),
      name_(fmt::format("software:OpenSSL {}", OpenSSL_version(OPENSSL_VERSION_STRING))) {}

Result<void> SoftwareBackend::check_input_size(std::size_t size, std::string_view what) const {
  if (size > options_.max_message_bytes) {
    return fail(ErrorCode::DataLenRange, fmt::format("{} of {} bytes exceeds the limit of {} bytes",
                                                     what, size, options_.max_message_bytes));
  }
  return {};
}

Result<const EVP_CIPHER*> SoftwareBackend::aes_cipher(const Key& key, AesMode mode) const {
  CRATON_RETURN_IF_ERROR(require_kind(key, {KeyKind::Aes}, "AES"));
  CRATON_RETURN_IF_ERROR(require_in_memory(key));
  return algorithms_.aes(mode, key.material().secret.size());
}

Result<Bytes> SoftwareBackend::random(std::size_t size) {
  if (size == 0 || size > kMaxRandomBytes) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("random size {} is outside 1..{}", size, kMaxRandomBytes));
  }
  Bytes out(size);
  if (RAND_bytes(out.data(), static_cast<int>(size)) != 1) return openssl_failure("RAND_bytes");
  return out;
}

Result<Key> SoftwareBackend::generate_key(KeyAlgorithm algorithm) {
  return common::openssl_generate_key(algorithm);
}

}  // namespace craton::hsm::software
