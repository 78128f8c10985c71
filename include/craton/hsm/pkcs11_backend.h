// SPDX-License-Identifier: Apache-2.0
// The PKCS#11 passthrough backend: every operation delegated to the vendor token through a
// pool of logged-in sessions with per-session key caches, plus token-resident keys.
#pragma once

#include <craton/hsm/audit.h>
#include <craton/hsm/backend.h>
#include <craton/hsm/capabilities.h>
#include <craton/hsm/config.h>
#include <craton/hsm/export.h>
#include <craton/hsm/resident_keys.h>
#include <craton/hsm/secret.h>
#include <craton/hsm/stats.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace craton::hsm {

// A CryptoBackend over one token that also manages keys living on that token. A Key returned
// by generate_resident_key or find_key works with every CryptoBackend operation of a backend
// on that token: the token does the crypto, the key bytes never reach the host. A Key names
// exactly one object (serial, class, type, label, id, unique id, and its public value or
// check value). Its handle is resolved once and cached; when the token is reinserted, the pool
// rebuilds its sessions or a key is destroyed, the next operation finds it again and proves it
// is the same object: KeyNotFound when it is gone, KeyChanged when its label and id now name
// another object. Calls that change the token (generate, import, destroy) are never re-run
// by the pool's automatic retry; OutcomeUnknown means one failed part-way and its effect could
// not be proven (the message says what the token holds).
class CRATON_HSM_API Pkcs11Backend : public CryptoBackend {
 public:
  // Generates a persistent key (pair) on the token: CKA_TOKEN, CKA_LABEL, CKA_ID,
  // CKA_PRIVATE when logged in, CKA_SENSITIVE, CKA_EXTRACTABLE per the spec, and only the
  // requested usage attributes. Returns the private or secret key. Errors: KeyAlreadyExists
  // when any key object already has this label or id, also when another thread or process
  // creates one at the same time (nothing of this call stays behind); InvalidArgument for an
  // empty or over-long label/id or usages the algorithm cannot have; LoginRequired, before any
  // token call, when the backend has no PIN (unless allow_keys_without_login);
  // MechanismUnsupported; OutcomeUnknown. A failure leaves nothing this call made on the token.
  virtual Result<Key> generate_resident_key(const ResidentKeySpec& spec) = 0;
  // Stores caller-held material as a persistent, sensitive, non-extractable token object
  // (both halves for a private key). Same errors as generate_resident_key (LoginRequired only
  // for private and secret material).
  virtual Result<Key> import_resident_key(const Key& material, const ResidentKeySpec& spec) = 0;
  // Finds exactly one key object. Errors: KeyNotFound; KeyAmbiguous (the message says how
  // many matched) when several objects fit: we never pick one of them.
  virtual Result<Key> find_key(const KeyRef& ref) = 0;
  // Every key object on the token (private, public and secret keys).
  virtual Result<std::vector<ResidentKeyInfo>> list_keys() = 0;
  // The token objects (CKA_TOKEN true) the query names: private, public and secret keys of
  // the types this library uses, certificates and data objects, in the token's order within
  // each class (private, public, secret, certificates, data). Reads no secret value.
  virtual Result<std::vector<TokenObjectInfo>> list_objects(const ObjectQuery& query) = 0;
  // Stores one DER X.509 certificate as a token object: CKO_CERTIFICATE, CKC_X_509,
  // CKA_TOKEN, CKA_PRIVATE false (certificates are public), the spec's CKA_LABEL and CKA_ID,
  // and CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER and CKA_VALUE from the certificate. A key
  // sharing the id is the usual case and allowed. Never retried automatically. Audited (as
  // key_import_resident of a type=cert reference). Errors: InvalidArgument for DER that is not
  // exactly one certificate, or an empty or over-long label or id; KeyAlreadyExists when a
  // certificate already has the label or id; the token's failures (OutcomeUnknown when the
  // session died during the creation).
  virtual Result<TokenObjectInfo> import_certificate(std::span<const std::uint8_t> der,
                                                     const CertificateSpec& spec) = 0;
  // The DER (CKA_VALUE) of the one certificate `ref` names; its class must be Certificate or
  // unset (a handle is allowed, as for keys). Audited (as export_public_key). Errors:
  // InvalidArgument for another class; KeyNotFound, KeyAmbiguous.
  virtual Result<std::vector<std::uint8_t>> export_certificate(const KeyRef& ref) = 0;
  // The SubjectPublicKeyInfo DER of a resident key pair's public half. Errors: KeyNotFound,
  // KeyAmbiguous, KeyTypeInconsistent for secret keys.
  virtual Result<std::vector<std::uint8_t>> export_public_key(const KeyRef& ref) = 0;
  // Destroys the key the reference resolves to and, for a pair, its public half (same id, and
  // same label when other public or private keys share the id: another pair's half is never
  // taken), private key first. Audited. Errors:
  // KeyNotFound, KeyAmbiguous, KeyFunctionNotPermitted (a half is not destroyable) and the
  // token's failures, with nothing destroyed; OutcomeUnknown when the token failed after
  // destroying part of the key (the message says how many objects remain).
  virtual Result<void> destroy_key(const KeyRef& ref) = 0;
  // "pkcs11:token=ci-token;manufacturer=SoftHSM%20project;serial=...;model=SoftHSM%20v2": the
  // token this backend works on, for building key URIs.
  [[nodiscard]] virtual std::string token_uri() const = 0;
  // Everything RFC 7512 can say about where this backend works: token_uri()'s attributes plus
  // slot-id, slot-description, slot-manufacturer, library-manufacturer, library-description,
  // library-version ("M.m"), module-path (the library path as configured) and module-name (its
  // file name without "lib" and suffix, RFC 7512 §2.3). For checking a URI someone gave
  // against this token (Pkcs11Uri::first_mismatch); not for naming keys, since slot ids move.
  // Asks the module (C_GetSlotInfo, C_GetInfo) on each call. Errors: the module's failures.
  [[nodiscard]] virtual Result<Pkcs11Uri> describe_location() const = 0;
  // The capability table detected when the backend was created: for every scheme and
  // operation, whether the token does it and how (its combined mechanism, "token"; its raw
  // mechanism over a host digest, "host-prehash"; or "unsupported", with the reason every such
  // operation fails with, as MechanismUnsupported, before any token call), plus the
  // session-object probe's finding (docs/vendors.md, "The capability table"). Never calls the
  // token.
  [[nodiscard]] virtual TokenCapabilities capabilities() const = 0;

  // Supplies a new user PIN, e.g. after the PIN was changed on the token. A login the token
  // refuses for its PIN (PinIncorrect, PinLocked, PinExpired, PinInvalid) is tried once and
  // never again: until this is called, every operation fails at once with that same error,
  // and no C_Login reaches the token (each wrong try brings a real HSM closer to locking the
  // user out). This replaces the PIN, lifts that latch and, when the token has no logged-in
  // session left, logs in right away, so a wrong PIN is reported here and latches again after
  // that one try. Errors: the login's (PinIncorrect, ...); InvalidArgument for an empty PIN or
  // a backend configured without a PIN; PoolTimeout when every session stays busy (the new
  // PIN is then kept for the next login). The PIN never appears in an error or a log.
  virtual Result<void> set_user_pin(SecretString pin) = 0;

  // A snapshot of the pool, breaker, key caches, GCM budgets and per-operation counts and
  // latencies (docs/observability.md). Never calls the token; safe from any thread at any time.
  [[nodiscard]] virtual BackendStats stats() const = 0;
  // Ready, degraded or down, and why (docs/observability.md): down when the circuit breaker is
  // open or a probe (C_GetSessionInfo on a pooled session) fails, degraded when the breaker is
  // half-open or a session was rebuilt, an operation retried or the module re-initialised in
  // the last 60 seconds. The probe runs at most once a second; calls in between return its
  // last answer, so a load balancer may ask as often as it likes.
  [[nodiscard]] virtual Health health() = 0;
  // Replaces the handler of reliability events (recoveries, logins, breaker transitions); an
  // empty one removes it. Events before the call are not replayed. The handler runs on the
  // thread that caused the event (see ReliabilityEventHandler) and also while this is called.
  virtual void set_event_handler(ReliabilityEventHandler handler) = 0;
};

// Loads the configured module, selects the token, opens `pool_size` sessions and logs in
// once, and opens the audit trail when the config has one. Material keys are imported into
// the token on first use (session objects, CKA_TOKEN false, CKA_SENSITIVE true, only the usage
// attributes the operation needs) and cached per session; AES-GCM encryption is budgeted per
// key (gcm_max_messages_per_key). Errors: those of load_config's validation, Module loading,
// token selection, login, and opening the audit trail (AuditUnavailable).
[[nodiscard]] CRATON_HSM_API Result<std::unique_ptr<Pkcs11Backend>> make_pkcs11_backend(
    Pkcs11PassthroughConfig config);

// The audit chain MAC computed by the token with the resident HMAC key labelled `key_label`
// (CKM_SHA256_HMAC; the key never leaves the HSM): for AuditConfig::key_label, and for
// verifying such a trail with verify_audit_trail. `backend` must outlive the returned object;
// pass a backend without an audit trail, or every MAC becomes an audit record. Errors:
// AuditUnavailable when the key cannot be found, ConfigInvalid when it is not an HMAC key.
[[nodiscard]] CRATON_HSM_API Result<std::unique_ptr<AuditMac>> make_token_audit_mac(
    Pkcs11Backend& backend, const std::string& key_label);

}  // namespace craton::hsm
