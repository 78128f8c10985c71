// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the CLI's key and certificate file readers (src/cli/key_file.cc, compiled into
// this harness): PEM or DER private keys (PKCS#8, SEC1, PKCS#1), PEM or DER certificates, raw
// AES keys. Each gives a value or a documented error code; a private key it gives has a public
// half; a certificate's DER, written back as PEM, reads back as the same DER.
#include <openssl/bio.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "cli/key_file.h"
#include "support/check.h"

using craton::hsm::ErrorCode;
using craton::hsm::SecretBytes;
namespace cli = craton::hsm::cli;

namespace {

constexpr std::string_view kName = "fuzz.pem";

std::string certificate_pem(std::span<const std::uint8_t> der) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  FUZZ_CHECK(bio != nullptr, "a memory BIO");
  FUZZ_CHECK(
      PEM_write_bio(bio.get(), "CERTIFICATE", "", der.data(), static_cast<long>(der.size())) > 0,
      "OpenSSL writes any bytes as PEM");
  char* text = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &text);
  return {text, static_cast<std::size_t>(length)};
}

void private_key(std::span<const std::uint8_t> bytes) {
  const SecretBytes content(bytes);
  const auto key = cli::parse_private_key_file(content, kName);
  if (!key) {
    constexpr std::array kDocumented{ErrorCode::InvalidArgument, ErrorCode::KeyTypeInconsistent,
                                     ErrorCode::KeySizeRange};
    FUZZ_CHECK(std::ranges::find(kDocumented, key.error().code()) != kDocumented.end(),
               "parse_private_key_file fails with a documented code");
    return;
  }
  FUZZ_CHECK(key->is_private(), "a private key file gives a private key");
  FUZZ_CHECK(key->public_key().has_value(), "a private key has a public half");
}

void certificate(std::span<const std::uint8_t> bytes) {
  const auto der = cli::parse_certificate_file(bytes, kName);
  if (!der) {
    FUZZ_CHECK(der.error().code() == ErrorCode::InvalidArgument,
               "parse_certificate_file fails only with InvalidArgument");
    return;
  }
  FUZZ_CHECK(!der->empty(), "a certificate file gives bytes");
  const std::string pem = certificate_pem(*der);
  const auto again = cli::parse_certificate_file(
      std::span(reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size()), kName);
  FUZZ_CHECK(again && *again == *der, "a certificate's DER written as PEM reads back");
}

void raw_aes(std::span<const std::uint8_t> bytes) {
  const SecretBytes content(bytes);
  const auto key = cli::parse_raw_aes_file(content, kName);
  FUZZ_CHECK(key.has_value() == (bytes.size() == 16 || bytes.size() == 24 || bytes.size() == 32),
             "exactly 16, 24 or 32 bytes are a raw AES key");
  if (!key) FUZZ_CHECK(key.error().code() == ErrorCode::KeySizeRange, "KeySizeRange");
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span bytes(data, size);
  private_key(bytes);
  certificate(bytes);
  raw_aes(bytes);
  return 0;
}
