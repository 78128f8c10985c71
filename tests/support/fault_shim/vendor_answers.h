// SPDX-License-Identifier: Apache-2.0
// Answers of vendors' modules that differ from SoftHSM2's: the quirks real tokens have
// (bare EC points, no check value, another manufacturer) and the misbehaviours the
// caller must survive (lengths past the buffer, empty output, unavailable lengths with
// CKR_OK, garbage in info strings). The shim never writes past a caller's buffer itself.
#pragma once

#include <cstddef>

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::fault_shim {

// An output buffer and its in/out length (the last two arguments of C_Sign, C_Encrypt, ...).
class OutputBuffer {
 public:
  OutputBuffer(CK_BYTE_PTR data, CK_ULONG_PTR length);
  // The answer after the module answered `rv`: with kOversizeOutput a length past the
  // caller's buffer, with kEmptyOutput a length of 0, both with CKR_OK; only when the caller
  // gave a buffer (a length query is answered truthfully).
  CK_RV answer(CK_RV rv, unsigned misbehaviour) const;

 private:
  CK_ULONG_PTR length_;
  CK_ULONG capacity_;
  bool has_buffer_;
};

// C_FindObjects after the module answered `rv` for room for `max` handles: with
// kOversizeOutput, CKR_OK and a count of `max` + 16 (only the count lies).
CK_RV answer_found_count(CK_RV rv, CK_ULONG max, CK_ULONG_PTR count, unsigned misbehaviour);

// Overwrites a blank-padded info string (v2.40 §3.1) with non-printable, unpadded bytes.
void garble(CK_UTF8CHAR* field, std::size_t size);

// C_GetInfo / C_GetSlotInfo / C_GetTokenInfo after the module answered `rv`.
CK_RV answer_info(CK_RV rv, CK_INFO_PTR info, unsigned misbehaviour);
CK_RV answer_slot_info(CK_RV rv, CK_SLOT_INFO_PTR info, unsigned misbehaviour);
CK_RV answer_token_info(CK_RV rv, CK_TOKEN_INFO_PTR info, unsigned misbehaviour);

// C_GetAttributeValue on the real module, with the quirks the switches ask for
// (bare_ec_point, hide_check_value); with kUnavailableLengths, CKR_OK and every length
// CK_UNAVAILABLE_INFORMATION; with kOversizeOutput, after CKR_OK, every entry that came with a
// buffer reports 16 bytes more than its buffer holds (length queries stay truthful).
CK_RV get_attribute_value(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                          CK_ATTRIBUTE_PTR attributes, CK_ULONG count, unsigned misbehaviour);

}  // namespace craton::hsm::fault_shim
