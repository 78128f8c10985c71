// SPDX-License-Identifier: Apache-2.0
// AES-CBC with PKCS#7 padding (CKM_AES_CBC_PAD; decryption through CKM_AES_CBC with the padding
// checked here where the token lists it) and AES-CTR with a full 128-bit counter
// (CKM_AES_CTR) on the token, both with caller-supplied IVs; single-part calls only.
#include <algorithm>
#include <array>
#include <cstdint>
#include <span>

#include <fmt/format.h>

#include "backends/common/key_checks.h"
#include "backends/pkcs11/passthrough_backend.h"
#include "pkcs11/session/input.h"
#include "pkcs11/session/output_length.h"

namespace craton::hsm::pkcs11 {
namespace {

Result<void> check_iv(ByteView iv, std::string_view mode) {
  if (iv.size() == kAesBlockSize) return {};
  return fail(ErrorCode::InvalidArgument,
              fmt::format("{} IV of {} bytes, expected {}", mode, iv.size(), kAesBlockSize));
}

// What every CBC and CTR call checks before any token call: an AES key, the token's mechanism
// for the mode (the capability table's row: MechanismUnsupported when the token does not list
// it with the flag for the direction), and a one-block IV.
Result<void> check_aes_call(const Key& key, ByteView iv, std::size_t row, std::string_view mode,
                            const Capabilities& capabilities) {
  CRATON_RETURN_IF_ERROR(common::require_kind(key, {KeyKind::Aes}, mode));
  CRATON_RETURN_IF_ERROR(capabilities.table().require(row));
  return check_iv(iv, mode);
}

// What a module answers for a CBC ciphertext whose padding is wrong. The spec's codes are
// CKR_ENCRYPTED_DATA_INVALID / _LEN_RANGE; SoftHSM2 answers CKR_GENERAL_ERROR, exactly as for a
// bad GCM tag, and some modules report the unpadded length as CKR_DATA_LEN_RANGE. The AEAD
// classifier in rv_map already names the first three, so padding reuses it rather than keeping
// a second CKR_* list here.
bool is_padding_failure(CK_RV rv, GeneralErrorReading general_error) noexcept {
  return is_aead_tag_failure(rv, general_error) || error_code_for(rv) == ErrorCode::DataLenRange;
}

// The length of a raw CBC decryption (a positive multiple of the block size) without its PKCS#7
// padding. Every padding byte is compared, whatever the pad byte says, and without a branch on
// their values: one error and one timing for every bad padding.
Result<std::size_t> pkcs7_unpadded_length(std::span<const std::uint8_t> padded) {
  const std::uint8_t pad = padded.back();
  unsigned bad = static_cast<unsigned>(pad == 0) | static_cast<unsigned>(pad > kAesBlockSize);
  for (std::size_t i = 1; i <= kAesBlockSize; ++i) {
    const auto in_padding = static_cast<std::uint8_t>(0U - static_cast<unsigned>(i <= pad));
    bad |= static_cast<unsigned>(in_padding & (padded[padded.size() - i] ^ pad));
  }
  if (bad != 0) return fail(ErrorCode::EncryptedDataInvalid, "AES-CBC padding is invalid");
  return padded.size() - pad;
}

// How many of `size` bytes CTR mode covers before the 128-bit big-endian `counter` wraps to
// zero (`size` itself when it does not wrap within them).
std::size_t bytes_before_counter_wraps(ByteView counter, std::size_t size) {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    high = high << 8 | counter[i];
    low = low << 8 | counter[i + 8];
  }
  // 2^128 - counter blocks remain; that is below 2^64 only when the high half is all ones
  // (and the low half not zero), and then it is 2^64 - low.
  if (high != UINT64_MAX || low == 0) return size;
  const std::uint64_t blocks = std::uint64_t{0} - low;
  if (blocks >= (size + kAesBlockSize - 1) / kAesBlockSize) return size;
  return static_cast<std::size_t>(blocks) * kAesBlockSize;
}

// One single-part CKM_AES_CTR encryption of `part` (not empty) starting at `counter`, into `out`.
Result<void> ctr_part(Lease& lease, CK_OBJECT_HANDLE object, ByteView counter, ByteView part,
                      std::uint8_t* out) {
  // The whole block is the counter (SP 800-38A §B.1), as in the software backend.
  CK_AES_CTR_PARAMS params{};
  params.ulCounterBits = kAesBlockSize * 8;
  std::copy(counter.begin(), counter.end(), std::begin(params.cb));
  CK_MECHANISM mechanism{CKM_AES_CTR, &params, sizeof params};
  CRATON_RETURN_IF_ERROR(lease.call<Fn::EncryptInit>(&mechanism, object));
  CK_ULONG length = part.size();
  CRATON_RETURN_IF_ERROR(lease.call<Fn::Encrypt>(input_ptr(part), input_len(part), out, &length));
  CRATON_RETURN_IF_ERROR(
      output_length(Fn::Encrypt, length, part.size(), ExpectedLength::exactly(part.size())));
  return {};
}

}  // namespace

Result<Bytes> Pkcs11PassthroughBackend::aes_cbc_encrypt(const Key& key, ByteView iv,
                                                        ByteView plaintext) {
  CRATON_RETURN_IF_ERROR(check_input_size(plaintext.size(), "plaintext"));
  CRATON_RETURN_IF_ERROR(
      check_aes_call(key, iv, aes_row(AesMode::Cbc, false), "AES-CBC", capabilities_));
  return with_key<Bytes>(
      key, KeyUsage::Cipher, [&](Lease& lease, CK_OBJECT_HANDLE object) -> Result<Bytes> {
        CK_MECHANISM mechanism{CKM_AES_CBC_PAD, input_ptr(iv), input_len(iv)};
        CRATON_RETURN_IF_ERROR(lease.call<Fn::EncryptInit>(&mechanism, object));
        // PKCS#7 always pads, a whole block for aligned input: the length is known, no query.
        Bytes ciphertext((plaintext.size() / kAesBlockSize + 1) * kAesBlockSize);
        CK_ULONG length = ciphertext.size();
        CRATON_RETURN_IF_ERROR(lease.call<Fn::Encrypt>(input_ptr(plaintext), input_len(plaintext),
                                                       ciphertext.data(), &length));
        CRATON_RETURN_IF_ERROR(output_length(Fn::Encrypt, length, ciphertext.size(),
                                             ExpectedLength::exactly(ciphertext.size())));
        return ciphertext;
      });
}

Result<SecretBytes> Pkcs11PassthroughBackend::aes_cbc_decrypt(const Key& key, ByteView iv,
                                                              ByteView ciphertext) {
  CRATON_RETURN_IF_ERROR(check_input_size(ciphertext.size(), "ciphertext"));
  CRATON_RETURN_IF_ERROR(
      check_aes_call(key, iv, aes_row(AesMode::Cbc, true), "AES-CBC", capabilities_));
  if (ciphertext.empty() || ciphertext.size() % kAesBlockSize != 0) {
    return fail(ErrorCode::EncryptedDataInvalid,
                fmt::format("AES-CBC ciphertext of {} bytes is not a positive multiple of {}",
                            ciphertext.size(), kAesBlockSize));
  }
  // Tokens differ in how well CKM_AES_CBC_PAD checks the padding (openCryptoki 3.8 reads only
  // the last byte and returns the message cut at the wrong length for padding bytes that
  // disagree). Where the token lists raw CKM_AES_CBC, it decrypts and the padding is checked
  // here, the same way for every token; the block cipher stays the token's.
  const bool unpad_here = capabilities_.has(CKM_AES_CBC);
  return with_key<SecretBytes>(
      key, KeyUsage::Cipher, [&](Lease& lease, CK_OBJECT_HANDLE object) -> Result<SecretBytes> {
        CK_MECHANISM mechanism{unpad_here ? CKM_AES_CBC : CKM_AES_CBC_PAD, input_ptr(iv),
                               input_len(iv)};
        CRATON_RETURN_IF_ERROR(lease.call<Fn::DecryptInit>(&mechanism, object));
        // The padded plaintext is as long as the ciphertext; the padding is cut off (and
        // wiped) once it is known.
        SecretBytes plaintext = SecretBytes::zeroed(ciphertext.size());
        CK_ULONG length = plaintext.size();
        // Whatever the module wrote is dropped, wiped with `plaintext`.
        const auto classify = [&](CK_RV rv, HsmError mapped) {
          if (is_padding_failure(rv, capabilities_.general_error_reading())) {
            return fail(ErrorCode::EncryptedDataInvalid, "AES-CBC padding is invalid");
          }
          return std::unexpected(std::move(mapped));
        };
        CRATON_RETURN_IF_ERROR(lease.call_classified<Fn::Decrypt>(
            classify, input_ptr(ciphertext), input_len(ciphertext), plaintext.expose_mut().data(),
            &length));
        if (unpad_here) {
          CRATON_RETURN_IF_ERROR(output_length(Fn::Decrypt, length, plaintext.size(),
                                               ExpectedLength::exactly(plaintext.size())));
          CRATON_ASSIGN_OR_RETURN(const std::size_t unpadded,
                                  pkcs7_unpadded_length(plaintext.expose()));
          plaintext.truncate(unpadded);
          return plaintext;
        }
        // PKCS#7 removes 1 to 16 bytes. A module that checks only the last byte against the
        // length (openCryptoki 3.8) answers invalid padding with CKR_OK, removing 0 bytes for a
        // pad byte of 0 and 17 or more for a large one: that is EncryptedDataInvalid, as from a
        // module that reports it, and the plaintext is wiped with `plaintext`. Nothing at all,
        // or more than the buffer, stays a module failure (output_length).
        const bool nothing_removed = length == plaintext.size();
        const bool too_much_removed = length > 0 && length + kAesBlockSize < plaintext.size();
        if (nothing_removed || too_much_removed) {
          return fail(ErrorCode::EncryptedDataInvalid,
                      fmt::format("AES-CBC padding is invalid (the token removed {} bytes)",
                                  plaintext.size() - length));
        }
        CRATON_ASSIGN_OR_RETURN(
            const std::size_t unpadded,
            output_length(
                Fn::Decrypt, length, plaintext.size(),
                ExpectedLength::between(plaintext.size() - kAesBlockSize, plaintext.size() - 1)));
        plaintext.truncate(unpadded);
        return plaintext;
      });
}

Result<Bytes> Pkcs11PassthroughBackend::aes_ctr(const Key& key, ByteView iv, ByteView data) {
  CRATON_RETURN_IF_ERROR(check_input_size(data.size(), "data"));
  CRATON_RETURN_IF_ERROR(
      check_aes_call(key, iv, aes_row(AesMode::Ctr, false), "AES-CTR", capabilities_));
  // Nothing to transform. A zero-length output buffer would also reach the module as a null
  // pointer, which C_Encrypt reads as a length query that leaves the operation active.
  if (data.empty()) return Bytes{};
  // The contract's counter wraps at 2^128; SoftHSM2 refuses input that would wrap it
  // (CKR_DATA_LEN_RANGE). Keystream block i is E(counter + i mod 2^128), so the input is cut
  // where the counter wraps and the rest continues from the all-zero block: the same
  // output, every block still computed by the token. Inputs are far below 2^64 blocks, so
  // at most one cut, and only when the counter's upper half is all ones.
  const std::size_t cut = bytes_before_counter_wraps(iv, data.size());
  return with_key<Bytes>(
      key, KeyUsage::Cipher, [&](Lease& lease, CK_OBJECT_HANDLE object) -> Result<Bytes> {
        Bytes out(data.size());
        CRATON_RETURN_IF_ERROR(ctr_part(lease, object, iv, data.first(cut), out.data()));
        if (cut < data.size()) {
          const std::array<std::uint8_t, kAesBlockSize> zero_counter{};
          CRATON_RETURN_IF_ERROR(
              ctr_part(lease, object, zero_counter, data.subspan(cut), out.data() + cut));
        }
        return out;
      });
}

}  // namespace craton::hsm::pkcs11
