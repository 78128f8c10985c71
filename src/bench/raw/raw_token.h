// SPDX-License-Identifier: Apache-2.0
// RawToken: the raw PKCS#11 baseline benchmarks compare the library against, with a face free
// of pkcs11.h so that the benchmark engine and the CLI can drive it.
#pragma once

#include <craton/hsm/config.h>
#include <craton/hsm/error.h>
#include <craton/hsm/keys.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace craton::hsm::bench::raw {

// The operations of the baseline, each done as a careful hand-written C_ program would: one
// dedicated logged-in session, a pre-created session-object key, no output-length query where
// the length is known, GCM IVs sliced from one C_GenerateRandom per 4 KiB.
enum class RawOp : std::uint8_t {
  EcdsaP256Sign,          // SHA-256 on the host (as the backend does), then CKM_ECDSA
  EcdsaP256Verify,        // the same, C_Verify with the public key
  RsaPkcs1v15Sha256Sign,  // CKM_SHA256_RSA_PKCS
  RsaPssSha256Sign,       // CKM_SHA256_RSA_PKCS_PSS, MGF1-SHA256, 32-byte salt
  Ed25519Sign,            // CKM_EDDSA
  AesGcmEncrypt,          // CKM_AES_GCM, 96-bit IV, 128-bit tag, no AAD
  HmacSha256,             // CKM_SHA256_HMAC through C_Sign
  Sha256,                 // CKM_SHA256 through C_Digest
  Random,                 // C_GenerateRandom of message.size() bytes
};

class RawTokenKey;

struct RawInputs {
  RawOp op = RawOp::Sha256;
  const Key* key = nullptr;                 // the key's material (unused by Sha256 and Random)
  std::span<const std::uint8_t> data;       // message, digest input, or random size
  std::span<const std::uint8_t> signature;  // EcdsaP256Verify only: r ‖ s
  // The cache-miss counterpart: every run is C_CreateObject, the operation, C_DestroyObject.
  bool import_each_run = false;
  // The resident-key counterpart: the worker finds this token object once by its label
  // (C_FindObjects on its own session) instead of creating a key; it does not destroy it.
  const RawTokenKey* token_key = nullptr;
};

// A key the baseline stored as a token object (CKA_TOKEN true) under a label unique to the
// run, as an application provisions a key once. The destructor destroys the object on the
// owner's own session and reports a failure; it must run while the RawToken is open (the
// anchor session holds the login).
class RawTokenKey {
 public:
  virtual ~RawTokenKey() = default;
  [[nodiscard]] virtual const std::string& label() const noexcept = 0;
};

// One thread's baseline: its own session and key object. run() is the timed unit. The
// destructor destroys the objects it created and closes its session. Not thread-safe.
class RawWorker {
 public:
  virtual ~RawWorker() = default;
  virtual Result<void> run() = 0;
};

// Counts of C_ calls made through the token's module since it was loaded (by anyone in the
// process: the backend shares the module).
struct CallCounts {
  std::uint64_t total = 0;
  std::uint64_t create_object = 0;
  std::uint64_t find_objects_init = 0;
};

// The configured token, opened on its own logged-in "anchor" session that holds the login for
// the workers. Creates session objects, and token objects only through create_token_key.
// Thread-safety: prepare() and count_objects() from one thread at a time; call_counts() from any
// thread.
class RawToken {
 public:
  // Errors: those of the config's validation, module loading, token selection, C_Login.
  static Result<std::unique_ptr<RawToken>> open(const Pkcs11PassthroughConfig& config);
  RawToken(const RawToken&) = delete;
  RawToken& operator=(const RawToken&) = delete;
  ~RawToken();

  // Whether the token lists the mechanism `op` needs.
  [[nodiscard]] bool supports(RawOp op) const;
  // A worker with its own session and, unless import_each_run, its key object already created.
  // `inputs` spans must outlive the worker. Errors: the mapped C_ failure.
  [[nodiscard]] Result<std::unique_ptr<RawWorker>> prepare(const RawInputs& inputs) const;
  // Stores `material` (for `op`) as a token object labelled `label`. Errors: the mapped
  // C_CreateObject failure, KeyTypeInconsistent when the key does not fit `op`.
  [[nodiscard]] Result<std::unique_ptr<RawTokenKey>> create_token_key(const Key& material, RawOp op,
                                                                      std::string label) const;
  // Every object visible to this process's sessions (token objects and session objects).
  [[nodiscard]] Result<std::uint64_t> count_objects() const;
  [[nodiscard]] CallCounts call_counts() const noexcept;

  struct State;

 private:
  explicit RawToken(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace craton::hsm::bench::raw
