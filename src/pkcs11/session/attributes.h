// SPDX-License-Identifier: Apache-2.0
// AttributeTemplate: a CK_ATTRIBUTE array whose values it owns or borrows, built up with
// typed adders and handed to C_CreateObject / C_GenerateKey* while the template lives.
#pragma once

#include <craton/hsm/secret.h>

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::pkcs11 {

class AttributeTemplate {
 public:
  AttributeTemplate() = default;
  AttributeTemplate(const AttributeTemplate&) = delete;
  AttributeTemplate& operator=(const AttributeTemplate&) = delete;
  ~AttributeTemplate() = default;

  AttributeTemplate& add_bool(CK_ATTRIBUTE_TYPE type, bool value);
  AttributeTemplate& add_ulong(CK_ATTRIBUTE_TYPE type, CK_ULONG value);
  // Copies `bytes` into storage the template owns (wiped when it goes).
  AttributeTemplate& add_bytes(CK_ATTRIBUTE_TYPE type, std::span<const std::uint8_t> bytes);
  // Points at `bytes` without copying: for secret key material, which then never gets a
  // second home. `bytes` must outlive the template; the module only reads it.
  AttributeTemplate& add_borrowed(CK_ATTRIBUTE_TYPE type, std::span<const std::uint8_t> bytes);

  [[nodiscard]] CK_ATTRIBUTE_PTR data() noexcept { return attributes_.data(); }
  [[nodiscard]] CK_ULONG size() const noexcept { return attributes_.size(); }

 private:
  AttributeTemplate& add(CK_ATTRIBUTE_TYPE type, void* value, std::size_t length);
  std::vector<CK_ATTRIBUTE> attributes_;
  std::deque<SecretBytes> owned_;  // deque: growing it never moves earlier values
};

}  // namespace craton::hsm::pkcs11
