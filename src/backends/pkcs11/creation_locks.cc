// SPDX-License-Identifier: Apache-2.0
// Holding a token's label and id while a resident key is created.
#include "backends/pkcs11/creation_locks.h"

#include <utility>

#include <fmt/format.h>

#include "core/hex.h"

namespace craton::hsm::pkcs11 {

CreationLocks::Hold::Hold(Hold&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      label_name_(std::move(other.label_name_)),
      id_name_(std::move(other.id_name_)) {}

CreationLocks::Hold::~Hold() {
  if (owner_ != nullptr) owner_->release(label_name_, id_name_);
}

CreationLocks& CreationLocks::process() {
  static CreationLocks* const locks = new CreationLocks();  // outlives every backend
  return *locks;
}

CreationLocks::Hold CreationLocks::acquire(std::string_view token_serial, std::string_view label,
                                           std::span<const std::uint8_t> id) {
  // Length-prefixed parts, so no serial/label split can collide with another.
  std::string label_name = fmt::format("{}:{}/label:{}", token_serial.size(), token_serial, label);
  std::string id_name = fmt::format("{}:{}/id:{}", token_serial.size(), token_serial, to_hex(id));
  std::unique_lock lock(mutex_);
  released_.wait(lock, [&] { return !held_.contains(label_name) && !held_.contains(id_name); });
  held_.insert(label_name);
  held_.insert(id_name);
  return Hold(this, std::move(label_name), std::move(id_name));
}

void CreationLocks::release(const std::string& label_name, const std::string& id_name) {
  {
    const std::lock_guard lock(mutex_);
    held_.erase(label_name);
    held_.erase(id_name);
  }
  released_.notify_all();
}

}  // namespace craton::hsm::pkcs11
