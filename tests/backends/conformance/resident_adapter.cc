// SPDX-License-Identifier: Apache-2.0
// ResidentKeysBackend: each operation's keys become resident twins first.
#include "backends/conformance/resident_adapter.h"

#include <unistd.h>

#include <atomic>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace craton::hsm::conformance {
namespace {

// Every usage the key's family can have, so that each operation of the suite is allowed.
KeyUsages all_usages_of(KeyKind kind) {
  KeyUsages usages;
  switch (kind) {
    case KeyKind::Aes:
      usages.encrypt = usages.decrypt = usages.wrap = usages.unwrap = true;
      break;
    case KeyKind::Hmac:
    case KeyKind::Ed25519Private:
    case KeyKind::Ed25519Public:
      usages.sign = usages.verify = true;
      break;
    case KeyKind::RsaPrivate:
    case KeyKind::RsaPublic:
      usages.sign = usages.verify = usages.encrypt = usages.decrypt = true;
      break;
    case KeyKind::EcPrivate:
    case KeyKind::EcPublic:
      usages.sign = usages.verify = usages.derive = true;
      break;
  }
  return usages;
}

}  // namespace

ResidentKeysBackend::~ResidentKeysBackend() {
  for (const KeyRef& ref : stored_) {
    if (auto destroyed = inner_->destroy_key(ref); !destroyed) {
      ADD_FAILURE_AT(__FILE__, __LINE__) << "cannot destroy " << ref << ": " << destroyed.error();
    }
  }
}

Result<Key> ResidentKeysBackend::resident(const Key& key) {
  if (key.is_resident()) return key;
  const std::lock_guard lock(mutex_);
  const void* identity = &key.material();
  if (const auto found = twins_.find(identity); found != twins_.end()) return found->second.second;
  static std::atomic<unsigned> counter{0};
  const unsigned n = counter.fetch_add(1);
  ResidentKeySpec spec;
  spec.label = fmt::format("conformance-{}-{}", ::getpid(), n);
  spec.id = {0xc0,
             static_cast<std::uint8_t>(::getpid() >> 8),
             static_cast<std::uint8_t>(::getpid()),
             static_cast<std::uint8_t>(n >> 24),
             static_cast<std::uint8_t>(n >> 16),
             static_cast<std::uint8_t>(n >> 8),
             static_cast<std::uint8_t>(n)};
  spec.usages = all_usages_of(key.kind());
  auto stored = inner_->import_resident_key(key, spec);
  if (!stored) {
    ADD_FAILURE_AT(__FILE__, __LINE__) << "cannot store the " << key_kind_name(key.kind())
                                       << " key as a resident key: " << stored.error();
    return std::unexpected(std::move(stored).error());
  }
  KeyRef ref;
  ref.id = spec.id;
  ref.object_class = key.is_private() ? std::nullopt : std::optional(ObjectClass::PublicKey);
  stored_.push_back(ref);
  twins_.emplace(identity, std::make_pair(key, *stored));
  return *stored;
}

Result<Bytes> ResidentKeysBackend::sign(const Key& key, SignScheme scheme, ByteView message,
                                        SignatureEncoding encoding) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->sign(twin, scheme, message, encoding);
}
Result<Bytes> ResidentKeysBackend::sign_digest(const Key& key, SignScheme scheme, ByteView digest,
                                               SignatureEncoding encoding) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->sign_digest(twin, scheme, digest, encoding);
}
Result<VerifyOutcome> ResidentKeysBackend::verify(const Key& key, SignScheme scheme,
                                                  ByteView message, ByteView signature,
                                                  SignatureEncoding encoding) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->verify(twin, scheme, message, signature, encoding);
}
Result<VerifyOutcome> ResidentKeysBackend::verify_digest(const Key& key, SignScheme scheme,
                                                         ByteView digest, ByteView signature,
                                                         SignatureEncoding encoding) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->verify_digest(twin, scheme, digest, signature, encoding);
}
Result<std::size_t> ResidentKeysBackend::aes_gcm_encrypt_into(const Key& key, ByteView plaintext,
                                                              ByteView aad,
                                                              std::span<std::uint8_t> sealed_out) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->aes_gcm_encrypt_into(twin, plaintext, aad, sealed_out);
}
Result<std::size_t> ResidentKeysBackend::aes_gcm_decrypt_into(
    const Key& key, ByteView sealed, ByteView aad, std::span<std::uint8_t> plaintext_out) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->aes_gcm_decrypt_into(twin, sealed, aad, plaintext_out);
}
Result<Bytes> ResidentKeysBackend::aes_cbc_encrypt(const Key& key, ByteView iv,
                                                   ByteView plaintext) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->aes_cbc_encrypt(twin, iv, plaintext);
}
Result<SecretBytes> ResidentKeysBackend::aes_cbc_decrypt(const Key& key, ByteView iv,
                                                         ByteView ciphertext) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->aes_cbc_decrypt(twin, iv, ciphertext);
}
Result<Bytes> ResidentKeysBackend::aes_ctr(const Key& key, ByteView iv, ByteView data) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->aes_ctr(twin, iv, data);
}
Result<Bytes> ResidentKeysBackend::rsa_oaep_encrypt(const Key& key, HashAlg hash,
                                                    ByteView plaintext, ByteView label) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->rsa_oaep_encrypt(twin, hash, plaintext, label);
}
Result<SecretBytes> ResidentKeysBackend::rsa_oaep_decrypt(const Key& key, HashAlg hash,
                                                          ByteView ciphertext, ByteView label) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->rsa_oaep_decrypt(twin, hash, ciphertext, label);
}
Result<Bytes> ResidentKeysBackend::wrap_key(const Key& kek, KeyWrapScheme scheme,
                                            const SecretBytes& key_to_wrap) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(kek));
  return inner_->wrap_key(twin, scheme, key_to_wrap);
}
Result<SecretBytes> ResidentKeysBackend::unwrap_key(const Key& kek, KeyWrapScheme scheme,
                                                    ByteView wrapped) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(kek));
  return inner_->unwrap_key(twin, scheme, wrapped);
}
Result<SecretBytes> ResidentKeysBackend::ecdh(const Key& private_key, const Key& peer_public) {
  CRATON_ASSIGN_OR_RETURN(const Key ours, resident(private_key));
  CRATON_ASSIGN_OR_RETURN(const Key theirs, resident(peer_public));
  return inner_->ecdh(ours, theirs);
}
Result<Bytes> ResidentKeysBackend::hmac(const Key& key, HashAlg hash, ByteView message) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->hmac(twin, hash, message);
}
Result<VerifyOutcome> ResidentKeysBackend::hmac_verify(const Key& key, HashAlg hash,
                                                       ByteView message, ByteView tag) {
  CRATON_ASSIGN_OR_RETURN(const Key twin, resident(key));
  return inner_->hmac_verify(twin, hash, message, tag);
}
Result<Bytes> ResidentKeysBackend::digest(HashAlg hash, ByteView data) {
  return inner_->digest(hash, data);
}
Result<std::unique_ptr<DigestStream>> ResidentKeysBackend::digest_stream(HashAlg hash) {
  return inner_->digest_stream(hash);
}
Result<Bytes> ResidentKeysBackend::random(std::size_t size) {
  return inner_->random(size);
}
Result<Key> ResidentKeysBackend::generate_key(KeyAlgorithm algorithm) {
  return inner_->generate_key(algorithm);
}

}  // namespace craton::hsm::conformance
