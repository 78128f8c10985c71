// SPDX-License-Identifier: Apache-2.0
// Shared set-up for the pool tests: a pool on a test token, and an operation that needs login.
#pragma once

#include <craton/hsm/secret.h>

#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "pkcs11/pool/session_pool.h"
#include "support/matchers.h"
#include "support/softhsm_module.h"

namespace craton::hsm::pkcs11 {

struct PoolSetup {
  std::size_t size = 4;
  std::chrono::milliseconds timeout{5000};
  std::optional<std::string_view> pin = testing::kUserPin;
  std::string_view token = testing::kTokenLabel;
};

// Records every pool event, thread-safely.
class EventLog {
 public:
  PoolEventHandler handler() {
    return [this](const PoolEvent& event) {
      const std::lock_guard lock(mutex_);
      events_.push_back(event);
    };
  }
  std::size_t count(PoolEventKind kind) const {
    const std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& event : events_) n += event.kind == kind ? 1 : 0;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<PoolEvent> events_;
};

inline Result<std::unique_ptr<SessionPool>> make_pool(const std::shared_ptr<const Module>& module,
                                                      const PoolSetup& setup,
                                                      EventLog* events = nullptr) {
  PoolOptions options;
  options.pool_size = setup.size;
  options.acquire_timeout = setup.timeout;
  if (setup.pin) options.user_pin.emplace(*setup.pin);
  if (events != nullptr) options.on_event = events->handler();
  return SessionPool::create(module, testing::slot_of(*module, setup.token), std::move(options));
}

// Creates and destroys a private session object: fails with NotLoggedIn unless the
// application is logged in, so it proves the login state of the session it runs on.
inline Result<void> touch_private_object(Lease& lease) {
  CK_OBJECT_CLASS object_class = CKO_DATA;
  CK_BBOOL no = CK_FALSE;
  CK_BBOOL yes = CK_TRUE;
  char value[] = "x";
  CK_ATTRIBUTE attributes[] = {{CKA_CLASS, &object_class, sizeof object_class},
                               {CKA_TOKEN, &no, sizeof no},
                               {CKA_PRIVATE, &yes, sizeof yes},
                               {CKA_VALUE, value, 1}};
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(lease.call<Fn::CreateObject>(static_cast<CK_ATTRIBUTE_PTR>(attributes),
                                                      CK_ULONG{4}, &object));
  return lease.call<Fn::DestroyObject>(object);
}

inline CK_STATE session_state(const Lease& lease) {
  CK_SESSION_INFO info{};
  return lease.session().invoke<Fn::GetSessionInfo>(&info) == CKR_OK ? info.state : ~CK_STATE{0};
}

}  // namespace craton::hsm::pkcs11
