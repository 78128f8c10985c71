// SPDX-License-Identifier: Apache-2.0
// The pool hands C_Login exactly one copy of the PIN: counted as heap blocks of the PIN's
// (unusual) length allocated while logging in, against the same login made with a stack
// buffer. A binary of its own, since it replaces the global operator new.
#include <atomic>
#include <cstdlib>
#include <new>

#include "pkcs11/pool/session_pool.h"
#include "pool_fixture.h"

namespace {

// A length no other allocation of a login is likely to have.
constexpr std::size_t kPinLength = 47;

thread_local bool counting = false;
thread_local std::size_t pin_sized_blocks = 0;

}  // namespace

void* operator new(std::size_t size) {
  if (counting && size == kPinLength) ++pin_sized_blocks;
  if (void* block = std::malloc(size == 0 ? 1 : size)) return block;
  throw std::bad_alloc();
}
void operator delete(void* block) noexcept {
  std::free(block);
}
void operator delete(void* block, std::size_t /*size*/) noexcept {
  std::free(block);
}

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::kSpareTokenLabel;
using ::craton::hsm::testing::softhsm_module;

const std::string kLongPin(kPinLength, '7');

// Heap blocks of kPinLength bytes that `body` allocates on this thread.
template <typename Body>
std::size_t pin_sized_blocks_during(Body&& body) {
  pin_sized_blocks = 0;
  counting = true;
  body();
  counting = false;
  return pin_sized_blocks;
}

TEST(PinCopyTest, ALoginHandsTheModuleOneCopyOfThePin) {
  auto module = softhsm_module();
  ASSERT_NE(module, nullptr);
  const std::uint64_t slot = testing::slot_of(*module, kSpareTokenLabel);
  PinChange pin(module, slot);
  ASSERT_THAT(pin.to(kLongPin), IsOk());
  auto pool = make_pool(module, {.size = 1, .pin = kLongPin, .token = kSpareTokenLabel});
  ASSERT_THAT(pool, IsOk());

  // Both logins follow the same calls: close a session that died with the login, open one,
  // ask its state, log in. First with the PIN in a stack buffer (the module's own copies)...
  const auto open_session = [&] {
    CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
    EXPECT_EQ(module->invoke<Fn::OpenSession>(
                  static_cast<CK_SLOT_ID>(slot), CK_FLAGS{CKF_SERIAL_SESSION | CKF_RW_SESSION},
                  static_cast<CK_VOID_PTR>(nullptr), static_cast<CK_NOTIFY>(nullptr), &handle),
              CKR_OK);
    return handle;
  };
  const CK_SESSION_HANDLE dead = open_session();
  ASSERT_EQ(module->invoke<Fn::CloseAllSessions>(static_cast<CK_SLOT_ID>(slot)), CKR_OK);
  CK_UTF8CHAR buffer[kPinLength];
  std::copy(kLongPin.begin(), kLongPin.end(), buffer);
  const std::size_t module_copies = pin_sized_blocks_during([&] {
    (void)module->invoke<Fn::CloseSession>(dead);
    const CK_SESSION_HANDLE fresh = open_session();
    CK_SESSION_INFO info{};
    EXPECT_EQ(module->invoke<Fn::GetSessionInfo>(fresh, &info), CKR_OK);
    EXPECT_EQ(module->invoke<Fn::Login>(fresh, static_cast<CK_USER_TYPE>(CKU_USER),
                                        static_cast<CK_UTF8CHAR_PTR>(buffer),
                                        static_cast<CK_ULONG>(kPinLength)),
              CKR_OK);
  });

  // ... then through the pool, rebuilding its session.
  {
    auto lease = (*pool)->acquire();
    ASSERT_THAT(lease, IsOk());
    lease->note_failure(HsmError(ErrorCode::DeviceError, "simulated"));
  }
  ASSERT_EQ(module->invoke<Fn::CloseAllSessions>(static_cast<CK_SLOT_ID>(slot)), CKR_OK);
  const auto logins = module->call_count(Fn::Login);
  const std::size_t pool_copies =
      pin_sized_blocks_during([&] { EXPECT_THAT((*pool)->acquire(), IsOk()); });
  EXPECT_EQ(module->call_count(Fn::Login), logins + 1);
  EXPECT_EQ(pool_copies, module_copies + 1) << "the pool's own copies of the PIN in one login";
}

}  // namespace
}  // namespace craton::hsm::pkcs11
