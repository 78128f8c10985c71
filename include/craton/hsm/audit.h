// SPDX-License-Identifier: Apache-2.0
// The audit trail: one AuditEvent per operation and administrative action, written as JSON
// Lines in a keyed, tamper-evident chain by a background writer. Metadata only: never key
// bytes, PINs, plaintext or ciphertext.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>
#include <craton/hsm/export.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace craton::hsm {

enum class AuditOperation : std::uint8_t {
  // Administrative.
  BackendStart,
  BackendStop,
  Login,              // outcome says success or failure; never the PIN
  PoolRebuild,        // a dead session was replaced
  KeyImport,          // material imported into the token (session object)
  KeyGenerate,        // resident key generated on the token
  KeyImportResident,  // material stored as a resident key
  KeyDestroy,         // resident key destroyed
  GcmBudgetRefused,   // an AES-GCM encryption refused: the key's message budget is spent
  AuditFailOpen,      // the trail runs with on_failure = fail_open (or lost records under it)
  // Operations.
  Sign,
  SignDigest,
  Verify,
  VerifyDigest,
  AesGcmEncrypt,
  AesGcmDecrypt,
  AesCbcEncrypt,
  AesCbcDecrypt,
  AesCtr,
  RsaOaepEncrypt,
  RsaOaepDecrypt,
  WrapKey,
  UnwrapKey,
  Ecdh,
  Hmac,
  HmacVerify,
  Digest,
  Random,
  GenerateKey,
  FindKey,
  ListKeys,
  ExportPublicKey,
  // Certificates and other objects (after the rest: the numbering above stays as it was).
  CertificateImport,  // an X.509 certificate stored on the token
  ListObjects,
  ExportCertificate,
  // The pool rode through a failure: a retry, a module re-initialisation, a circuit breaker
  // transition (`detail` says which).
  Recovery,
};

// "backend_start", "sign", "aes_gcm_encrypt", ... (snake_case, stable: parsers key on it).
[[nodiscard]] CRATON_HSM_API std::string_view audit_operation_name(AuditOperation op) noexcept;

// Which key an event is about, without its bytes: the keyed fingerprint of material keys (it
// reveals nothing about the key) or a resident key's reference ("pkcs11:object=..;id=..").
struct CRATON_HSM_API AuditKey {
  std::optional<std::array<std::uint8_t, 32>> fingerprint;
  std::shared_ptr<const std::string> resident;  // shared so that recording never allocates
};

// One event. Time, sequence number and the token's identity are added when it is recorded.
struct CRATON_HSM_API AuditEvent {
  AuditOperation operation = AuditOperation::BackendStart;
  std::string_view mechanism;  // "CKM_ECDSA", or empty; always a string literal
  AuditKey key;
  std::uint64_t input_bytes = 0;  // sizes only, never content
  std::uint64_t output_bytes = 0;
  std::optional<ErrorCode> error;  // absent: the operation succeeded
  std::string_view ckr;            // the CKR_* name of a failed call, or empty; a literal
  std::chrono::nanoseconds duration{0};
  bool software_fallback = false;  // the operation ran in software (keygen fallback)
  bool session_recovered = false;  // the pool rebuilt a session during this operation
  std::uint32_t retries = 0;       // operations re-run on a rebuilt session
  std::string detail;              // administrative events: short, secret-free context
  // The outcome of a write-ahead operation: the id AuditLog::record_intent returned for its
  // intent (0: none). The record then names the intent record's sequence number.
  std::uint64_t intent = 0;
};

enum class AuditDurability : std::uint8_t {
  PerRecord,  // fsync after every record
  PerBatch,   // fsync after each batch the writer drains (default)
  None,       // leave it to the OS
};

enum class AuditFailurePolicy : std::uint8_t {
  FailClosed,  // operations fail with AuditUnavailable when records cannot be written (default)
  FailOpen,    // operations go on; the trail records that it ran fail-open and what it lost
};

struct CRATON_HSM_API AuditConfig {
  std::filesystem::path file;  // the JSON Lines trail; created 0600, appended to, never truncated
  // The chain key: a file holding 32..64 random bytes (mode 0600, no symlink), or the label of
  // a generic-secret/HMAC key on the token (the MAC is then computed by the token).
  std::optional<std::filesystem::path> key_file;
  std::optional<std::string> key_label;
  AuditDurability durability = AuditDurability::PerBatch;
  AuditFailurePolicy on_failure = AuditFailurePolicy::FailClosed;
  std::size_t queue_capacity = 8192;        // records waiting for the writer
  std::chrono::milliseconds max_wait{200};  // how long record() waits on a full queue
  std::uint64_t rotate_bytes = 0;           // start a new file past this size; 0 = never
  // How long opening waits while another writer (another process) holds the trail's lock; 0:
  // refuse at once. Past it, AuditLog::open fails with AuditUnavailable.
  std::chrono::milliseconds lock_timeout{5000};
};

// HMAC-SHA-256 under the audit key. Each record's last field, `mac`, is this over the record's
// bytes before it; the next record's `prev` repeats that `mac`, so the chain binds every
// record's exact bytes (docs/audit.md). Implementations must be safe to call from the writer
// thread concurrently with a verifier.
class CRATON_HSM_API AuditMac {
 public:
  virtual ~AuditMac() = default;
  virtual Result<std::array<std::uint8_t, 32>> mac(std::span<const std::uint8_t> data) = 0;
};

// The key in a key file (see AuditConfig::key_file). Errors: ConfigInvalid for a missing,
// group/other-accessible, symlinked or wrongly sized file.
[[nodiscard]] CRATON_HSM_API Result<std::unique_ptr<AuditMac>> make_key_file_audit_mac(
    const std::filesystem::path& key_file);

// Where finished records go: whole lines (no trailing newline), appended in order.
class CRATON_HSM_API AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Appends every line or fails (a failed append may be retried with the same lines).
  virtual Result<void> append(std::span<const std::string> lines) = 0;
  // Makes everything appended so far durable (fsync).
  virtual Result<void> sync() = 0;
};

// Stamped onto every record: which backend and token the events came from.
struct CRATON_HSM_API AuditOrigin {
  std::string backend;  // "pkcs11:SoftHSM"
  std::string token_label;
  std::string token_serial;
  std::uint64_t slot = 0;
};

// The trail. record() is cheap (no I/O, no allocation for events without `detail`): it
// stamps time and the next sequence number and queues the event for the writer thread, which
// formats, chains, appends and syncs per the durability policy. Only the writer thread touches
// the file, with SIGXFSZ blocked: a file size limit fails a write with EFBIG (fail-closed
// path) instead of killing the process in the middle of a record. Failed appends are retried;
// two failures stop the writer for good (every later call: AuditUnavailable; reopen the
// trail): a failed fsync, and the trail's path no longer naming the open file (renamed or
// deleted: writing on would fork the chain).
// Thread-safety: every member may be called from any thread.
class CRATON_HSM_API AuditLog {
 public:
  // Opens (or continues: same chain, next sequence number, a "restart" record) the trail in
  // config.file, or writes into `sink` when one is given (tests; no anchor, no rotation).
  // An incomplete last line (a write torn by a crash) is cut off first and the cut is stated
  // in the restart record. The opening records are durable when it returns. Errors:
  // AuditUnavailable (file cannot be opened: symlink, not a regular file, not ours,
  // group/other bits, in use by another writer, unverifiable last record, shorter than its
  // tail anchor), ConfigInvalid (no MAC, no file, queue_capacity 0).
  static Result<std::unique_ptr<AuditLog>> open(const AuditConfig& config,
                                                std::unique_ptr<AuditMac> mac,
                                                const AuditOrigin& origin,
                                                std::unique_ptr<AuditSink> sink = nullptr);
  virtual ~AuditLog() = default;

  // Queues one event: a caller releases an operation's result only once this succeeded. With
  // durability per_record it returns once the record is on disk (written and synced). Errors
  // (fail-closed only): AuditUnavailable when the writer has failed, the queue stayed full for
  // max_wait or (per_record) the record could not be synced. Under fail-open it never fails;
  // lost records are counted and themselves recorded once the sink works again.
  virtual Result<void> record(AuditEvent event) = 0;
  // Write-ahead, for operations that change the token (generate, import, destroy): records
  // `event` as an intent ("outcome":"intent") and returns once it is on disk (written and
  // synced, whatever the durability). The returned id goes into the outcome event's `intent`,
  // which links the two records; verify_audit_trail reports intents that no outcome closes.
  // Errors (fail-closed only): AuditUnavailable; the operation must then not run, and should
  // the queued intent reach the file later, the trail closes it with a "not run" outcome.
  // Under fail-open it never fails and does not wait for a failed writer.
  virtual Result<std::uint64_t> record_intent(AuditEvent event) = 0;
  // AuditUnavailable when fail-closed and the writer has failed: checked before an operation
  // so nothing runs that could not be recorded.
  [[nodiscard]] virtual Result<void> ready() const = 0;
  // Waits until every queued record is written and synced. Errors: AuditUnavailable (under
  // fail-open too: a caller that must not block on a failed trail checks failure_policy()).
  virtual Result<void> flush() = 0;
  // AuditConfig::on_failure, as opened.
  [[nodiscard]] virtual AuditFailurePolicy failure_policy() const noexcept = 0;
};

// A write-ahead intent that no later record names as its outcome: the process ended, or its
// trail failed, after the intent was on disk and before the outcome was recorded, so whether
// the token changed is unknown (check the token).
struct CRATON_HSM_API AuditOpenIntent {
  std::size_t file_index = 0;  // into the verified files
  std::uint64_t line = 0;      // 1-based
  std::uint64_t seq = 0;
  std::string operation;  // "key_destroy"
  std::string key;        // the record's "key" as written (JSON escapes kept), or empty
};

struct CRATON_HSM_API AuditVerifyReport {
  std::uint64_t records = 0;  // records checked
  bool intact = false;
  // When not intact: where the first problem is (file index into the input, 1-based line)
  // and what it is ("prev MAC mismatch", "sequence gap: expected 41, found 43", ...).
  std::size_t file_index = 0;
  std::uint64_t line = 0;
  std::string problem;
  // Intents without an outcome, in sequence order (a finding, not a broken chain: `intact`
  // does not depend on it).
  std::vector<AuditOpenIntent> open_intents;
};

// Checks every file in order (rotated files oldest first, the live file last; its tail anchor
// "<file>.head" is used when present): each record's own MAC and its link to the previous one,
// strictly consecutive sequence numbers, genesis records and the rotation links between files,
// a truncated tail, and that every outcome names an earlier open intent; intents left open are
// listed. Errors: AuditUnavailable only when a file cannot be read,
// InvalidArgument for no files (a broken chain is a report, not an error).
[[nodiscard]] CRATON_HSM_API Result<AuditVerifyReport> verify_audit_trail(
    std::span<const std::filesystem::path> files, AuditMac& mac);

// `backend` (the software backend, say) with every operation recorded in the trail `config`
// describes, as make_pkcs11_backend's trail records the token's: operation, key (keyed
// fingerprint, the same one a token backend's records give the same key in this process),
// byte counts, outcome, duration; BackendStart and BackendStop around them; fail-closed unless
// on_failure says otherwise; flush_audit() waits for the records. The chain key must be a
// key_file. For a token, use make_pkcs11_backend with `audit` set instead: its trail also has
// the token's identity, logins, pool rebuilds, key imports and the resident-key operations.
// Errors: InvalidArgument for a null backend; ConfigInvalid (no key_file, or a key_label: that
// key lives on a token); those of make_key_file_audit_mac and AuditLog::open.
[[nodiscard]] CRATON_HSM_API Result<std::unique_ptr<CryptoBackend>> make_audited_backend(
    std::unique_ptr<CryptoBackend> backend, const AuditConfig& config);

}  // namespace craton::hsm
