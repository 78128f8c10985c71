// SPDX-License-Identifier: Apache-2.0
// Tokens with strict key-generation templates: which template a token takes (learned once per
// backend), and what it granted, read back after every resident generation and judged by the
// strict_usages policy (docs/vendors/README.md, minimal_key_templates).
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/resident_keys.h>

#include <atomic>
#include <string>
#include <vector>

#include "pkcs11/pool/session_pool.h"
#include "pkcs11/session/key_template.h"

namespace craton::hsm::pkcs11 {

// Which usage style a backend's generation templates start with. Explicit (every usage named,
// true or false) until a token refuses it and takes the minimal one (requested usages only);
// from then on minimal first, for the backend's life. Starts minimal when the vendor profile
// says so (Quirks::minimal_key_templates). Thread-safe: threads that race on the first
// refusal all retry, and exactly one of them records the lesson.
class KeyTemplateChoice {
 public:
  explicit KeyTemplateChoice(bool minimal_first) noexcept : minimal_(minimal_first) {}
  [[nodiscard]] UsageStyle first() const noexcept {
    return minimal_.load(std::memory_order_acquire) ? UsageStyle::RequestedOnly
                                                    : UsageStyle::Explicit;
  }
  // The token refused the explicit template and took the minimal one. True for the one call
  // that learned it.
  bool learn_minimal() noexcept { return !minimal_.exchange(true, std::memory_order_acq_rel); }

 private:
  std::atomic<bool> minimal_;
};

// What a generation asked for.
struct Requested {
  KeyUsages usages;
  bool extractable = false;      // CKA_EXTRACTABLE of the private or secret object
  bool private_objects = false;  // CKA_PRIVATE of the private or secret object
};

// What the token granted beyond the request, read back from the objects it made.
struct Grant {
  KeyUsages extra;  // usage attributes true on either object that were not asked for
  // Security attributes of the private or secret object weaker than asked, as
  // "CKA_SENSITIVE false", "CKA_EXTRACTABLE true", "CKA_PRIVATE false".
  std::vector<std::string> weakened;
};

// Reads every usage attribute of each created object's class, and CKA_SENSITIVE,
// CKA_EXTRACTABLE and CKA_PRIVATE of `key` (the private or secret object; `public_half` is
// CK_INVALID_HANDLE for a secret key). An absent usage counts as not granted; an absent
// CKA_SENSITIVE as weakened (it cannot be proven). Errors: the mapped failure of
// C_GetAttributeValue.
[[nodiscard]] Result<Grant> read_grant(Lease& lease, CK_OBJECT_HANDLE key,
                                       CK_OBJECT_HANDLE public_half, const Requested& requested);

// The policy: weakened security attributes are always refused; extra usages only under
// strict_usages. TemplateInvalid naming what the token granted, for `label`.
[[nodiscard]] Result<void> judge_grant(const Grant& grant, bool strict_usages,
                                       std::string_view label);

// Whether a failed C_GenerateKey/C_GenerateKeyPair is worth one retry with the minimal
// template (rv_map's is_template_refusal of the generate call's own answer).
[[nodiscard]] bool refused_template(const HsmError& error);

}  // namespace craton::hsm::pkcs11
