// SPDX-License-Identifier: Apache-2.0
// AuditedBackend: one audit record per call around the passthrough backend.
#include "audited/audited_backend.h"

#include <craton/hsm/diagnostics.h>

#include <chrono>

#include <fmt/format.h>

#include "core/output_buffer.h"
#include "pkcs11/pool/op_notes.h"
#include "pkcs11/session/mechanism_names.h"

namespace craton::hsm::pkcs11 {
namespace {

// The byte count an event reports for a result (never its content).
std::uint64_t output_size(const Bytes& out) {
  return out.size();
}
std::uint64_t output_size(const SecretBytes& out) {
  return out.size();
}
std::uint64_t output_size(const std::vector<ResidentKeyInfo>& keys) {
  return keys.size();
}
// The `_into` operations return the bytes they wrote.
std::uint64_t output_size(std::size_t written) {
  return written;
}
template <typename T>
std::uint64_t output_size(const T&) {
  return 0;
}

// Verification outcomes go into `detail`: "invalid" is what an auditor looks for. Short
// literals fit std::string's inline buffer, so this allocates nothing.
template <typename T>
void note_outcome(AuditEvent& event, const T& value) {
  if constexpr (std::is_same_v<T, VerifyOutcome>) {
    event.detail = value == VerifyOutcome::Valid ? "valid" : "invalid";
  }
}

// What the operation did, as an event (no content, only sizes and outcome). Inlined: it runs
// once per audited operation.
template <typename T>
[[gnu::always_inline]] inline AuditEvent describe(AuditOperation operation, AuditKey key,
                                                  std::uint64_t input_bytes,
                                                  std::chrono::steady_clock::time_point start,
                                                  const Result<T>& result) {
  const OpNotes& notes = op_notes();
  AuditEvent event;
  event.duration = std::chrono::steady_clock::now() - start;
  event.operation = operation;
  event.key = std::move(key);
  event.input_bytes = input_bytes;
  if (notes.mechanism) event.mechanism = mechanism_name(*notes.mechanism);
  event.session_recovered = notes.session_recovered;
  event.retries = notes.retries;
  event.software_fallback = notes.software_fallback;
  if (result) {
    if constexpr (!std::is_void_v<T>) {
      event.output_bytes = output_size(*result);
      note_outcome(event, *result);
    }
  } else {
    event.error = result.error().code();
    event.ckr = result.error().rv_name();
  }
  return event;
}

}  // namespace

[[gnu::always_inline]] inline Result<void> AuditedBackend::can_record() const {
  CRATON_RETURN_IF_ERROR(log_->ready());
  return relay_->drain();
}

template <typename T, typename Body>
Result<T> AuditedBackend::audited(AuditOperation operation, AuditKey key, std::uint64_t input_bytes,
                                  Body&& body) {
  CRATON_RETURN_IF_ERROR(can_record());
  op_notes() = {};
  const auto start = std::chrono::steady_clock::now();
  Result<T> result = body();
  AuditEvent event = describe(operation, std::move(key), input_bytes, start, result);
  // Administrative events of this operation (a key import, a login) come before its record,
  // and one the trail refused fails the operation like its own record would.
  CRATON_RETURN_IF_ERROR(relay_->drain());
  CRATON_RETURN_IF_ERROR(log_->record(std::move(event)));
  return result;
}

// Records before effects: the intent is on disk before the token is called.
template <typename T, typename Body>
Result<T> AuditedBackend::write_ahead(AuditOperation operation, AuditKey key, Body&& body) {
  CRATON_RETURN_IF_ERROR(can_record());
  AuditEvent intent;
  intent.operation = operation;
  intent.key = key;
  CRATON_ASSIGN_OR_RETURN(const std::uint64_t intent_id, log_->record_intent(std::move(intent)));
  op_notes() = {};
  const auto start = std::chrono::steady_clock::now();
  Result<T> result = body();
  AuditEvent event = describe(operation, std::move(key), 0, start, result);
  event.intent = intent_id;
  Result<void> recorded = relay_->drain();
  if (recorded) recorded = log_->record(std::move(event));
  if (recorded) return result;
  if (!result) return result;  // nothing changed on the token: its own error says more
  return fail(ErrorCode::AuditUnavailable,
              fmt::format("{} ran on the token, but its outcome could not be recorded (the "
                          "trail shows its intent without an outcome): {}",
                          audit_operation_name(operation), recorded.error().message()));
}

AuditedBackend::AuditedBackend(std::unique_ptr<Pkcs11PassthroughBackend> inner,
                               std::shared_ptr<AuditLog> log, std::shared_ptr<AuditRelay> relay)
    : inner_(std::move(inner)), log_(std::move(log)), relay_(std::move(relay)) {
  AuditEvent start;
  start.operation = AuditOperation::BackendStart;
  start.detail = std::string(inner_->name());
  // A start event the trail refuses stays held in the relay and fails the first operation.
  relay_->attach(log_, std::move(start));
}

AuditedBackend::~AuditedBackend() {
  AuditEvent stop;
  stop.operation = AuditOperation::BackendStop;
  relay_->record(std::move(stop));
  if (const Result<void> flushed = flush_audit(); !flushed) report_diagnostic(flushed.error());
  // The trail's writer may MAC through the wrapped backend (a token key): it stops first.
  relay_->detach();
  log_.reset();
}

Result<void> AuditedBackend::flush_audit() {
  Result<void> flushed = relay_->drain();
  if (flushed) flushed = log_->flush();
  if (!flushed && log_->failure_policy() == AuditFailurePolicy::FailOpen) return {};
  return flushed;
}

AuditKey AuditedBackend::audit_key(const Key& key) {
  if (key.material().resident) return AuditKey{std::nullopt, key.material().resident->uri};
  return AuditKey{inner_->fingerprint_of(key).bytes, nullptr};
}

AuditKey AuditedBackend::audit_key(const KeyRef& ref) {
  return AuditKey{std::nullopt, std::make_shared<const std::string>(ref.to_uri())};
}

Result<Bytes> AuditedBackend::sign(const Key& key, SignScheme scheme, ByteView message,
                                   SignatureEncoding encoding) {
  return audited<Bytes>(AuditOperation::Sign, audit_key(key), message.size(),
                        [&] { return inner_->sign(key, scheme, message, encoding); });
}

Result<Bytes> AuditedBackend::sign_digest(const Key& key, SignScheme scheme, ByteView digest,
                                          SignatureEncoding encoding) {
  return audited<Bytes>(AuditOperation::SignDigest, audit_key(key), digest.size(),
                        [&] { return inner_->sign_digest(key, scheme, digest, encoding); });
}

Result<VerifyOutcome> AuditedBackend::verify(const Key& key, SignScheme scheme, ByteView message,
                                             ByteView signature, SignatureEncoding encoding) {
  return audited<VerifyOutcome>(AuditOperation::Verify, audit_key(key), message.size(), [&] {
    return inner_->verify(key, scheme, message, signature, encoding);
  });
}

Result<VerifyOutcome> AuditedBackend::verify_digest(const Key& key, SignScheme scheme,
                                                    ByteView digest, ByteView signature,
                                                    SignatureEncoding encoding) {
  return audited<VerifyOutcome>(AuditOperation::VerifyDigest, audit_key(key), digest.size(), [&] {
    return inner_->verify_digest(key, scheme, digest, signature, encoding);
  });
}

Result<std::size_t> AuditedBackend::aes_gcm_encrypt_into(const Key& key, ByteView plaintext,
                                                         ByteView aad,
                                                         std::span<std::uint8_t> sealed_out) {
  Result<std::size_t> sealed = audited<std::size_t>(
      AuditOperation::AesGcmEncrypt, audit_key(key), plaintext.size() + aad.size(),
      [&] { return inner_->aes_gcm_encrypt_into(key, plaintext, aad, sealed_out); });
  // An unrecorded result is not released, in a caller's buffer either (left alone when it
  // overlaps the input: the inner backend refused that before writing).
  if (!sealed && !overlaps(sealed_out, plaintext) && !overlaps(sealed_out, aad)) {
    secure_wipe(sealed_out.data(), sealed_out.size());
  }
  return sealed;
}

Result<std::size_t> AuditedBackend::aes_gcm_decrypt_into(const Key& key, ByteView sealed,
                                                         ByteView aad,
                                                         std::span<std::uint8_t> plaintext_out) {
  Result<std::size_t> opened = audited<std::size_t>(
      AuditOperation::AesGcmDecrypt, audit_key(key), sealed.size() + aad.size(),
      [&] { return inner_->aes_gcm_decrypt_into(key, sealed, aad, plaintext_out); });
  // No plaintext stays behind a failure, a refused audit record included; only an output that
  // overlaps the input is left alone (the inner backend refused it before writing).
  if (!opened && !overlaps(plaintext_out, sealed) && !overlaps(plaintext_out, aad)) {
    secure_wipe(plaintext_out.data(), plaintext_out.size());
  }
  return opened;
}

Result<Bytes> AuditedBackend::aes_cbc_encrypt(const Key& key, ByteView iv, ByteView plaintext) {
  return audited<Bytes>(AuditOperation::AesCbcEncrypt, audit_key(key), plaintext.size(),
                        [&] { return inner_->aes_cbc_encrypt(key, iv, plaintext); });
}

Result<SecretBytes> AuditedBackend::aes_cbc_decrypt(const Key& key, ByteView iv,
                                                    ByteView ciphertext) {
  return audited<SecretBytes>(AuditOperation::AesCbcDecrypt, audit_key(key), ciphertext.size(),
                              [&] { return inner_->aes_cbc_decrypt(key, iv, ciphertext); });
}

Result<Bytes> AuditedBackend::aes_ctr(const Key& key, ByteView iv, ByteView data) {
  return audited<Bytes>(AuditOperation::AesCtr, audit_key(key), data.size(),
                        [&] { return inner_->aes_ctr(key, iv, data); });
}

Result<Bytes> AuditedBackend::rsa_oaep_encrypt(const Key& key, HashAlg hash, ByteView plaintext,
                                               ByteView label) {
  return audited<Bytes>(AuditOperation::RsaOaepEncrypt, audit_key(key), plaintext.size(),
                        [&] { return inner_->rsa_oaep_encrypt(key, hash, plaintext, label); });
}

Result<SecretBytes> AuditedBackend::rsa_oaep_decrypt(const Key& key, HashAlg hash,
                                                     ByteView ciphertext, ByteView label) {
  return audited<SecretBytes>(
      AuditOperation::RsaOaepDecrypt, audit_key(key), ciphertext.size(),
      [&] { return inner_->rsa_oaep_decrypt(key, hash, ciphertext, label); });
}

Result<Bytes> AuditedBackend::wrap_key(const Key& kek, KeyWrapScheme scheme,
                                       const SecretBytes& key_to_wrap) {
  return audited<Bytes>(AuditOperation::WrapKey, audit_key(kek), key_to_wrap.size(),
                        [&] { return inner_->wrap_key(kek, scheme, key_to_wrap); });
}

Result<SecretBytes> AuditedBackend::unwrap_key(const Key& kek, KeyWrapScheme scheme,
                                               ByteView wrapped) {
  return audited<SecretBytes>(AuditOperation::UnwrapKey, audit_key(kek), wrapped.size(),
                              [&] { return inner_->unwrap_key(kek, scheme, wrapped); });
}

Result<SecretBytes> AuditedBackend::ecdh(const Key& private_key, const Key& peer_public) {
  return audited<SecretBytes>(AuditOperation::Ecdh, audit_key(private_key), 0,
                              [&] { return inner_->ecdh(private_key, peer_public); });
}

Result<Bytes> AuditedBackend::hmac(const Key& key, HashAlg hash, ByteView message) {
  return audited<Bytes>(AuditOperation::Hmac, audit_key(key), message.size(),
                        [&] { return inner_->hmac(key, hash, message); });
}

Result<VerifyOutcome> AuditedBackend::hmac_verify(const Key& key, HashAlg hash, ByteView message,
                                                  ByteView tag) {
  return audited<VerifyOutcome>(AuditOperation::HmacVerify, audit_key(key), message.size(),
                                [&] { return inner_->hmac_verify(key, hash, message, tag); });
}

Result<Bytes> AuditedBackend::digest(HashAlg hash, ByteView data) {
  return audited<Bytes>(AuditOperation::Digest, {}, data.size(),
                        [&] { return inner_->digest(hash, data); });
}

Result<std::unique_ptr<DigestStream>> AuditedBackend::digest_stream(HashAlg hash) {
  // Recorded when the stream opens; its updates stay in the session it holds.
  return audited<std::unique_ptr<DigestStream>>(AuditOperation::Digest, {}, 0,
                                                [&] { return inner_->digest_stream(hash); });
}

Result<Bytes> AuditedBackend::random(std::size_t size) {
  return audited<Bytes>(AuditOperation::Random, {}, 0, [&] { return inner_->random(size); });
}

Result<Key> AuditedBackend::generate_key(KeyAlgorithm algorithm) {
  return audited<Key>(AuditOperation::GenerateKey, {}, 0,
                      [&] { return inner_->generate_key(algorithm); });
}

Result<Key> AuditedBackend::generate_resident_key(const ResidentKeySpec& spec) {
  KeyRef ref;
  ref.label = spec.label;
  ref.id = spec.id;
  return write_ahead<Key>(AuditOperation::KeyGenerate, audit_key(ref),
                          [&] { return inner_->generate_resident_key(spec); });
}

Result<Key> AuditedBackend::import_resident_key(const Key& material, const ResidentKeySpec& spec) {
  KeyRef ref;
  ref.label = spec.label;
  ref.id = spec.id;
  return write_ahead<Key>(AuditOperation::KeyImportResident, audit_key(ref),
                          [&] { return inner_->import_resident_key(material, spec); });
}

Result<Key> AuditedBackend::find_key(const KeyRef& ref) {
  return audited<Key>(AuditOperation::FindKey, audit_key(ref), 0,
                      [&] { return inner_->find_key(ref); });
}

Result<std::vector<ResidentKeyInfo>> AuditedBackend::list_keys() {
  return audited<std::vector<ResidentKeyInfo>>(AuditOperation::ListKeys, {}, 0,
                                               [&] { return inner_->list_keys(); });
}

Result<std::vector<std::uint8_t>> AuditedBackend::export_public_key(const KeyRef& ref) {
  return audited<std::vector<std::uint8_t>>(AuditOperation::ExportPublicKey, audit_key(ref), 0,
                                            [&] { return inner_->export_public_key(ref); });
}

Result<void> AuditedBackend::destroy_key(const KeyRef& ref) {
  return write_ahead<void>(AuditOperation::KeyDestroy, audit_key(ref),
                           [&] { return inner_->destroy_key(ref); });
}

}  // namespace craton::hsm::pkcs11
