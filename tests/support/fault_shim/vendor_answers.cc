// SPDX-License-Identifier: Apache-2.0
// Vendors' quirks and misbehaviours, applied to the real module's answers.
#include "vendor_answers.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <vector>

#include "counters.h"
#include "fault_plan.h"
#include "real_module.h"
#include "switches.h"

namespace craton::hsm::fault_shim {
namespace {

// The content of the DER OCTET STRING SoftHSM2 stores in CKA_EC_POINT (short or 0x81 length).
std::vector<CK_BYTE> bare_point_of(const std::vector<CK_BYTE>& der) {
  const std::size_t header = der.size() > 1 && der[1] == 0x81 ? 3 : 2;
  if (der.size() < header || der[0] != 0x04) return der;
  return {der.begin() + static_cast<std::ptrdiff_t>(header), der.end()};
}

// One CKA_EC_POINT entry answered with the bare point, by the rules of C_GetAttributeValue
// (v2.40 §5.7): a length query, a copy, or CK_UNAVAILABLE_INFORMATION and an error.
CK_RV answer_bare_ec_point(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                           CK_ATTRIBUTE& entry) {
  CK_ATTRIBUTE query{CKA_EC_POINT, nullptr, 0};
  CK_RV rv = real()->C_GetAttributeValue(session, object, &query, 1);
  std::vector<CK_BYTE> der(rv == CKR_OK ? query.ulValueLen : 0);
  if (rv == CKR_OK) {
    query.pValue = der.data();
    rv = real()->C_GetAttributeValue(session, object, &query, 1);
  }
  if (rv != CKR_OK) {
    entry.ulValueLen = CK_UNAVAILABLE_INFORMATION;
    return rv;
  }
  der.resize(query.ulValueLen);
  const std::vector<CK_BYTE> bare = bare_point_of(der);
  if (entry.pValue != nullptr && entry.ulValueLen < bare.size()) {
    entry.ulValueLen = CK_UNAVAILABLE_INFORMATION;
    return CKR_BUFFER_TOO_SMALL;
  }
  if (entry.pValue != nullptr) std::memcpy(entry.pValue, bare.data(), bare.size());
  entry.ulValueLen = bare.size();
  return CKR_OK;
}

// The template entries the shim answers itself instead of the real module.
bool answered_by_shim(CK_ATTRIBUTE_TYPE type) {
  return (type == CKA_EC_POINT && switches().bare_ec_point) ||
         (type == CKA_CHECK_VALUE && switches().hide_check_value);
}

CK_RV answer_entry(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE& entry) {
  if (entry.type == CKA_EC_POINT) return answer_bare_ec_point(session, object, entry);
  // A token without the attribute (v2.40 §5.7: unavailable, CKR_ATTRIBUTE_TYPE_INVALID).
  entry.ulValueLen = CK_UNAVAILABLE_INFORMATION;
  return CKR_ATTRIBUTE_TYPE_INVALID;
}

// The real module's answer, with the entries the quirks replace answered by the shim.
CK_RV get_with_quirks(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                      CK_ATTRIBUTE_PTR attributes, CK_ULONG count) {
  if (!switches().bare_ec_point && !switches().hide_check_value) {
    return real()->C_GetAttributeValue(session, object, attributes, count);
  }
  std::vector<CK_ATTRIBUTE> others;
  std::vector<CK_ULONG> other_index;
  CK_RV shim_rv = CKR_OK;
  for (CK_ULONG i = 0; i < count; ++i) {
    if (!answered_by_shim(attributes[i].type)) {
      others.push_back(attributes[i]);
      other_index.push_back(i);
    } else if (const CK_RV rv = answer_entry(session, object, attributes[i]);
               rv != CKR_OK && shim_rv == CKR_OK) {
      shim_rv = rv;
    }
  }
  CK_RV rv = CKR_OK;
  if (!others.empty()) {
    rv = real()->C_GetAttributeValue(session, object, others.data(), others.size());
    for (std::size_t i = 0; i < others.size(); ++i) {
      attributes[other_index[i]].ulValueLen = others[i].ulValueLen;
    }
  }
  return rv != CKR_OK ? rv : shim_rv;
}

// What foreign_manufacturer names instead of SoftHSM: nothing a vendor profile detects.
constexpr std::string_view kForeignVendor = "Craton Test Vendor";
constexpr std::string_view kForeignLibrary = "Craton Test Library";
constexpr std::string_view kForeignModel = "Test Token";

// Blank-padded, not NUL-terminated (PKCS#11 v2.40 §3.1).
template <std::size_t N>
void rename(CK_UTF8CHAR (&field)[N], std::string_view name) {
  std::memset(field, ' ', N);
  std::memcpy(field, name.data(), std::min(name.size(), N));
}

// Bytes no blank-padded string holds: controls, DEL, invalid UTF-8 and, mid-string (not
// first, so a reader that stops at a NUL still meets the junk before it), a NUL.
constexpr std::array<CK_UTF8CHAR, 8> kGarbage{0x07, 0xff, 0x1b, 0x7f, 0x00, 0x80, 0xc3, 0x0a};

}  // namespace

OutputBuffer::OutputBuffer(CK_BYTE_PTR data, CK_ULONG_PTR length)
    : length_(length),
      capacity_(data != nullptr && length != nullptr ? *length : 0),
      has_buffer_(data != nullptr && length != nullptr) {}

CK_RV OutputBuffer::answer(CK_RV rv, unsigned misbehaviour) const {
  if (rv != CKR_OK || !has_buffer_) return rv;
  if ((misbehaviour & kOversizeOutput) != 0) {
    // Only the length lies: the bytes written stay inside the buffer.
    *length_ = capacity_ + 16;
    counters().fault();
  } else if ((misbehaviour & kEmptyOutput) != 0) {
    *length_ = 0;
    counters().fault();
  }
  return rv;
}

void garble(CK_UTF8CHAR* field, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) field[i] = kGarbage[i % kGarbage.size()];
}

CK_RV answer_info(CK_RV rv, CK_INFO_PTR info, unsigned misbehaviour) {
  if (rv != CKR_OK || info == nullptr) return rv;
  if (switches().foreign_manufacturer) {
    rename(info->manufacturerID, kForeignVendor);
    rename(info->libraryDescription, kForeignLibrary);
  }
  if ((misbehaviour & kGarbageStrings) != 0) {
    garble(info->manufacturerID, sizeof info->manufacturerID);
    garble(info->libraryDescription, sizeof info->libraryDescription);
    counters().fault();
  }
  return rv;
}

CK_RV answer_slot_info(CK_RV rv, CK_SLOT_INFO_PTR info, unsigned misbehaviour) {
  if (rv != CKR_OK || info == nullptr || (misbehaviour & kGarbageStrings) == 0) return rv;
  garble(info->slotDescription, sizeof info->slotDescription);
  garble(info->manufacturerID, sizeof info->manufacturerID);
  counters().fault();
  return rv;
}

CK_RV answer_token_info(CK_RV rv, CK_TOKEN_INFO_PTR info, unsigned misbehaviour) {
  if (rv != CKR_OK || info == nullptr) return rv;
  if (const unsigned long max = switches().max_rw_sessions; max != 0) {
    info->ulMaxRwSessionCount = max;
    info->ulMaxSessionCount = max;
  }
  if (switches().foreign_manufacturer) {
    rename(info->manufacturerID, kForeignVendor);
    rename(info->model, kForeignModel);
  }
  if ((misbehaviour & kGarbageStrings) != 0) {
    garble(info->label, sizeof info->label);
    garble(info->manufacturerID, sizeof info->manufacturerID);
    garble(info->model, sizeof info->model);
    garble(info->serialNumber, sizeof info->serialNumber);
    counters().fault();
  }
  return rv;
}

CK_RV answer_found_count(CK_RV rv, CK_ULONG max, CK_ULONG_PTR count, unsigned misbehaviour) {
  if (rv != CKR_OK || count == nullptr || (misbehaviour & kOversizeOutput) == 0) return rv;
  *count = max + 16;
  counters().fault();
  return rv;
}

CK_RV get_attribute_value(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                          CK_ATTRIBUTE_PTR attributes, CK_ULONG count, unsigned misbehaviour) {
  // The buffers' sizes before the module overwrites them with the lengths it wrote.
  std::vector<CK_ULONG> capacity;
  if ((misbehaviour & kOversizeOutput) != 0 && attributes != nullptr) {
    for (CK_ULONG i = 0; i < count; ++i) capacity.push_back(attributes[i].ulValueLen);
  }
  const CK_RV rv = get_with_quirks(session, object, attributes, count);
  if (attributes == nullptr) return rv;
  if ((misbehaviour & kUnavailableLengths) != 0) {
    for (CK_ULONG i = 0; i < count; ++i) attributes[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
    counters().fault();
    return CKR_OK;
  }
  if (rv != CKR_OK || capacity.empty()) return rv;
  bool lied = false;
  for (CK_ULONG i = 0; i < count; ++i) {
    if (attributes[i].pValue == nullptr) continue;
    // Only the length lies: the bytes stay inside the buffer.
    attributes[i].ulValueLen = capacity[i] + 16;
    lied = true;
  }
  if (lied) counters().fault();
  return rv;
}

}  // namespace craton::hsm::fault_shim
