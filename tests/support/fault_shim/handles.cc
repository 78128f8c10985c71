// SPDX-License-Identifier: Apache-2.0
// The shim's handle table: issuing, translating and retiring its own handles.
#include "handles.h"

#include <algorithm>
#include <mutex>

namespace craton::hsm::fault_shim {

static_assert(sizeof(CK_ULONG) == 8, "handles carry the epoch in the high 32 bits");

CK_ULONG HandleTable::next_handle_locked() {
  serial_ = (serial_ + 1) & 0xffffffffULL;
  if (serial_ == 0) serial_ = 1;
  return (epoch_ << 32) | serial_;
}

CK_SESSION_HANDLE HandleTable::add_session(CK_SESSION_HANDLE real, CK_SLOT_ID slot) {
  const std::unique_lock lock(mutex_);
  const CK_SESSION_HANDLE handle = next_handle_locked();
  sessions_[handle] = {real, slot};
  return handle;
}

std::optional<CK_SESSION_HANDLE> HandleTable::real_session(CK_SESSION_HANDLE handle) const {
  const std::shared_lock lock(mutex_);
  if ((handle >> 32) != epoch_) return std::nullopt;
  const auto it = sessions_.find(handle);
  if (it == sessions_.end()) return std::nullopt;
  return it->second.real;
}

void HandleTable::remove_session(CK_SESSION_HANDLE handle) {
  const std::unique_lock lock(mutex_);
  if (sessions_.erase(handle) == 0) return;
  for (auto it = session_objects_.begin(); it != session_objects_.end();) {
    if (it->second != handle) {
      ++it;
      continue;
    }
    if (const auto ours = by_real_.find(it->first); ours != by_real_.end()) {
      objects_.erase(ours->second);
      by_real_.erase(ours);
    }
    it = session_objects_.erase(it);
  }
}

void HandleTable::remove_slot_sessions(CK_SLOT_ID slot) {
  std::vector<CK_SESSION_HANDLE> closing;
  {
    const std::shared_lock lock(mutex_);
    for (const auto& [handle, session] : sessions_) {
      if (session.slot == slot) closing.push_back(handle);
    }
  }
  for (const CK_SESSION_HANDLE handle : closing) remove_session(handle);
}

std::optional<CK_OBJECT_HANDLE> HandleTable::real_object(CK_OBJECT_HANDLE handle) const {
  const std::shared_lock lock(mutex_);
  if ((handle >> 32) != epoch_) return std::nullopt;
  const auto it = objects_.find(handle);
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

CK_OBJECT_HANDLE HandleTable::object_for(CK_OBJECT_HANDLE real) {
  const std::unique_lock lock(mutex_);
  if (const auto it = by_real_.find(real); it != by_real_.end()) return it->second;
  const CK_OBJECT_HANDLE handle = next_handle_locked();
  objects_[handle] = real;
  by_real_[real] = handle;
  return handle;
}

CK_OBJECT_HANDLE HandleTable::add_created(CK_OBJECT_HANDLE real, CK_SESSION_HANDLE owner,
                                          const std::optional<std::string>& fingerprint) {
  const CK_OBJECT_HANDLE handle = object_for(real);
  const std::unique_lock lock(mutex_);
  if (fingerprint) {
    ++token_objects_[*fingerprint];
  } else {
    session_objects_[real] = owner;
  }
  return handle;
}

void HandleTable::remove_object(CK_OBJECT_HANDLE handle,
                                const std::optional<std::string>& fingerprint) {
  const std::unique_lock lock(mutex_);
  const auto it = objects_.find(handle);
  if (it == objects_.end()) return;
  session_objects_.erase(it->second);
  by_real_.erase(it->second);
  objects_.erase(it);
  if (!fingerprint) return;
  if (const auto token = token_objects_.find(*fingerprint); token != token_objects_.end()) {
    if (--token->second == 0) token_objects_.erase(token);
  }
}

bool HandleTable::counts_token_objects() const {
  const std::shared_lock lock(mutex_);
  return !token_objects_.empty();
}

void HandleTable::end_epoch_locked() {
  ++epoch_;
  sessions_.clear();
  objects_.clear();
  by_real_.clear();
  session_objects_.clear();
}

std::vector<CK_SESSION_HANDLE> HandleTable::one_real_session_per_slot() const {
  const std::shared_lock lock(mutex_);
  std::vector<CK_SLOT_ID> slots;
  std::vector<CK_SESSION_HANDLE> real;
  for (const auto& [handle, session] : sessions_) {
    if (std::find(slots.begin(), slots.end(), session.slot) == slots.end()) {
      slots.push_back(session.slot);
      real.push_back(session.real);
    }
  }
  return real;
}

std::vector<CK_SLOT_ID> HandleTable::restart() {
  const std::unique_lock lock(mutex_);
  std::vector<CK_SLOT_ID> slots;
  for (const auto& [handle, session] : sessions_) {
    if (std::find(slots.begin(), slots.end(), session.slot) == slots.end()) {
      slots.push_back(session.slot);
    }
  }
  end_epoch_locked();
  return slots;
}

void HandleTable::finalize() {
  const std::unique_lock lock(mutex_);
  end_epoch_locked();
}

std::size_t HandleTable::live_sessions() const {
  const std::shared_lock lock(mutex_);
  return sessions_.size();
}

std::size_t HandleTable::live_objects() const {
  const std::shared_lock lock(mutex_);
  std::size_t live = session_objects_.size();
  for (const auto& [fingerprint, count] : token_objects_) live += count;
  return live;
}

HandleTable& handles() {
  static HandleTable instance;
  return instance;
}

}  // namespace craton::hsm::fault_shim
