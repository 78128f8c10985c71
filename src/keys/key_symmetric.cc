// SPDX-License-Identifier: Apache-2.0
// AES and HMAC keys: bytes with a length check.
#include "keys/key_build.h"

namespace craton::hsm {
namespace {

Key symmetric(KeyKind kind, std::span<const std::uint8_t> bytes) {
  auto material = std::make_shared<KeyMaterial>();
  material->kind = kind;
  material->bits = bytes.size() * 8;
  material->secret = KeySecretBytes(bytes);
  return keys::finish(std::move(material));
}

}  // namespace

Result<Key> Key::aes(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != 16 && bytes.size() != 24 && bytes.size() != 32) {
    return fail(ErrorCode::KeySizeRange,
                fmt::format("AES keys are 16, 24 or 32 bytes, got {}", bytes.size()));
  }
  return symmetric(KeyKind::Aes, bytes);
}

Result<Key> Key::hmac(std::span<const std::uint8_t> bytes) {
  if (bytes.empty() || bytes.size() > 1024) {
    return fail(ErrorCode::KeySizeRange,
                fmt::format("HMAC keys are 1..1024 bytes, got {}", bytes.size()));
  }
  return symmetric(KeyKind::Hmac, bytes);
}

}  // namespace craton::hsm
