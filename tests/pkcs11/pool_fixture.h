// SPDX-License-Identifier: Apache-2.0
// Shared set-up for the pool tests: a pool on a test token, and an operation that needs login.
#pragma once

#include <craton/hsm/secret.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
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

// A pool of one session on the test token, leased for the whole test (lease_ goes first).
class LeasedSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    module_ = testing::softhsm_module();
    ASSERT_NE(module_, nullptr);
    auto pool = make_pool(module_, {.size = 1});
    ASSERT_THAT(pool, testing::IsOk());
    pool_ = std::move(*pool);
    auto lease = pool_->acquire();
    ASSERT_THAT(lease, testing::IsOk());
    lease_.emplace(std::move(*lease));
  }

  std::shared_ptr<const Module> module_;
  std::unique_ptr<SessionPool> pool_;
  std::optional<Lease> lease_;
};

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

// C_SetPIN in a session of its own; not logged in, it changes the user's PIN (v2.40 §5.6).
inline Result<void> change_pin(const std::shared_ptr<const Module>& module, std::uint64_t slot,
                               std::string_view from, std::string_view to) {
  CRATON_ASSIGN_OR_RETURN(Session session, Session::open(module, slot));
  std::string old_pin(from);
  std::string new_pin(to);
  return session.call<Fn::SetPIN>(
      reinterpret_cast<CK_UTF8CHAR_PTR>(old_pin.data()), static_cast<CK_ULONG>(old_pin.size()),
      reinterpret_cast<CK_UTF8CHAR_PTR>(new_pin.data()), static_cast<CK_ULONG>(new_pin.size()));
}

// Sets the token's PIN back to kUserPin when the test ends, however it ends.
class PinChange {
 public:
  PinChange(std::shared_ptr<const Module> module, std::uint64_t slot)
      : module_(std::move(module)), slot_(slot) {}
  PinChange(const PinChange&) = delete;
  PinChange& operator=(const PinChange&) = delete;
  Result<void> to(std::string_view pin) {
    CRATON_RETURN_IF_ERROR(change_pin(module_, slot_, current_, pin));
    current_ = pin;
    return {};
  }
  ~PinChange() {
    if (current_ != testing::kUserPin) {
      EXPECT_THAT(change_pin(module_, slot_, current_, testing::kUserPin), testing::IsOk());
    }
  }

 private:
  std::shared_ptr<const Module> module_;
  std::uint64_t slot_;
  std::string_view current_ = testing::kUserPin;
};

inline CK_STATE session_state(const Lease& lease) {
  CK_SESSION_INFO info{};
  return lease.session().invoke<Fn::GetSessionInfo>(&info) == CKR_OK ? info.state : ~CK_STATE{0};
}

}  // namespace craton::hsm::pkcs11
