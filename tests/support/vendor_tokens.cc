// SPDX-License-Identifier: Apache-2.0
#include "support/vendor_tokens.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <filesystem>
#include <system_error>
#include <vector>

#include "support/secret_token.h"

namespace craton::hsm::testing {
namespace {

constexpr CK_SLOT_ID kNssSlot = 2;           // "NSS Certificate DB": token objects, login
constexpr CK_SLOT_ID kOpenCryptokiSlot = 3;  // the soft token ("swtok")
// A fresh swtok's SO PIN (openCryptoki's documented factory value, not a secret of ours).
constexpr std::string_view kOpenCryptokiFactorySoPin = "87654321";
constexpr std::size_t kOpenCryptokiMaxPin = 8;
constexpr std::string_view kOpenCryptokiLock = "/run/lock/craton-hsm-opencryptoki.lock";

// Stops the machine's pkcsslotd (a stale one from an earlier run, or ours) by its pid file, and
// removes what the daemon and the token libraries leave behind. A zombie counts as stopped:
// the container's init may never reap the daemon.
constexpr std::string_view kStopSlotd = R"sh(
if [ -f /run/pkcsslotd.pid ]; then
  pid=$(cat /run/pkcsslotd.pid)
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      [ "$(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null)" = Z ] && break
      sleep 0.1
    done
  fi
  rm -f /run/pkcsslotd.pid
fi
rm -f /dev/shm/var.lib.opencryptoki.*
)sh";

// A factory-fresh soft token and a running daemon (docs/conformance.md, "openCryptoki").
constexpr std::string_view kStartSlotd = R"sh(
set -e
getent group pkcs11 >/dev/null || groupadd -r pkcs11
rm -rf /var/lib/opencryptoki/swtok
install -d -m 0770 -g pkcs11 /var/lib/opencryptoki /var/lib/opencryptoki/swtok \
    /var/lib/opencryptoki/swtok/TOK_OBJ /var/lock/opencryptoki /var/lock/opencryptoki/swtok
touch /var/lib/opencryptoki/swtok/.craton-conformance
/usr/sbin/pkcsslotd </dev/null >/dev/null 2>&1
)sh";

constexpr std::string_view kRemoveSwtok =
    "rm -rf /var/lib/opencryptoki/swtok/* /var/lib/opencryptoki/swtok/.craton-conformance\n";

// A soft token this suite did not make (no marker next to its NVTOK.DAT) may hold someone's
// keys: it is never wiped.
constexpr std::string_view kSwtokDir = "/var/lib/opencryptoki/swtok";

Result<void> shell(std::string_view script, std::string_view what) {
  const CommandResult result =
      run_command(fmt::format("sh -s 2>&1 <<'CRATON_SCRIPT'\n{}\nCRATON_SCRIPT\n", script));
  if (result.exit_code == 0) return {};
  return fail(ErrorCode::Internal,
              fmt::format("{} failed ({}): {}", what, result.exit_code, result.output));
}

// CK_UTF8CHAR label[32], blank padded.
std::array<CK_UTF8CHAR, 32> padded_label(std::string_view label) {
  std::array<CK_UTF8CHAR, 32> out{};
  out.fill(' ');
  std::copy_n(label.begin(), std::min(label.size(), out.size()), out.begin());
  return out;
}

CK_UTF8CHAR_PTR pin_ptr(std::string_view pin) {
  return reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(pin.data()));
}

// Sets the user PIN through a session logged in as SO with `so_pin` (NSS: the empty PIN).
Result<void> init_user_pin(const pkcs11::Module& module, CK_SLOT_ID slot, std::string_view so_pin,
                           const SecretString& pin) {
  using pkcs11::Fn;
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(module.call<Fn::OpenSession>(
      slot, CK_FLAGS{CKF_SERIAL_SESSION | CKF_RW_SESSION}, nullptr, nullptr, &session));
  Result<void> done = module.call<Fn::Login>(session, CK_USER_TYPE{CKU_SO}, pin_ptr(so_pin),
                                             CK_ULONG{so_pin.size()});
  if (done) {
    done = module.call<Fn::InitPIN>(session, pin_ptr(pin.expose()), CK_ULONG{pin.size()});
    (void)module.invoke<Fn::Logout>(session);
  }
  (void)module.invoke<Fn::CloseSession>(session);
  return done;
}

Result<CK_SLOT_ID> slot_with_label(const pkcs11::Module& module, std::string_view label) {
  using pkcs11::Fn;
  CK_ULONG count = 0;
  CRATON_RETURN_IF_ERROR(module.call<Fn::GetSlotList>(CK_BBOOL{CK_TRUE}, nullptr, &count));
  std::vector<CK_SLOT_ID> slots(count);
  CRATON_RETURN_IF_ERROR(module.call<Fn::GetSlotList>(CK_BBOOL{CK_TRUE}, slots.data(), &count));
  const auto wanted = padded_label(label);
  for (CK_ULONG i = 0; i < count; ++i) {
    CK_TOKEN_INFO info{};
    if (module.invoke<Fn::GetTokenInfo>(slots[i], &info) != CKR_OK) continue;
    if (std::equal(wanted.begin(), wanted.end(), std::begin(info.label))) return slots[i];
  }
  return fail(ErrorCode::TokenNotFound, fmt::format("no token labelled {}", label));
}

}  // namespace

std::string_view vendor_name(Vendor vendor) {
  switch (vendor) {
    case Vendor::SoftHsm2:
      return "SoftHSM2";
    case Vendor::SoftHsm2Unwrap:
      return "SoftHSM2_unwrap";
    case Vendor::NssSoftokn:
      return "NSS_softokn";
    case Vendor::OpenCryptoki:
      return "openCryptoki";
  }
  return "unknown";
}

std::optional<std::string> vendor_unavailable(Vendor vendor) {
  namespace fs = std::filesystem;
  switch (vendor) {
    case Vendor::SoftHsm2:
    case Vendor::SoftHsm2Unwrap:
      return std::nullopt;  // the whole test suite needs it
    case Vendor::NssSoftokn:
      if (!fs::exists(kNssModulePath)) {
        return fmt::format("{} is not installed (libnss3; run scripts/install-deps.sh)",
                           kNssModulePath);
      }
      return std::nullopt;
    case Vendor::OpenCryptoki:
      if (!fs::exists(kOpenCryptokiModulePath) || !fs::exists("/usr/sbin/pkcsslotd")) {
        return "openCryptoki is not installed (package opencryptoki; run "
               "scripts/install-deps.sh)";
      }
      if (geteuid() != 0) {
        return "openCryptoki's soft token needs root (pkcsslotd and its global paths)";
      }
      return std::nullopt;
  }
  return "unknown vendor";
}

Result<std::unique_ptr<VendorToken>> VendorToken::provision(Vendor vendor) {
  std::unique_ptr<VendorToken> token(new VendorToken(vendor));
  switch (vendor) {
    case Vendor::SoftHsm2:
    case Vendor::SoftHsm2Unwrap:
      CRATON_RETURN_IF_ERROR(token->provision_softhsm());
      break;
    case Vendor::NssSoftokn:
      CRATON_RETURN_IF_ERROR(token->provision_nss());
      break;
    case Vendor::OpenCryptoki:
      CRATON_RETURN_IF_ERROR(token->provision_opencryptoki());
      break;
  }
  return token;
}

Result<void> VendorToken::provision_softhsm() {
  static std::atomic<int> counter{0};
  label_ = fmt::format("conformance-{}", counter.fetch_add(1));
  pin_ = random_pin();
  init_token_with_pin(label_, pin_);
  if (::testing::Test::HasFatalFailure()) {
    return fail(ErrorCode::Internal, "softhsm2-util --init-token failed");
  }
  CRATON_ASSIGN_OR_RETURN(module_,
                          pkcs11::Module::acquire({.library_path = std::string(kModulePath),
                                                   .allow_unprotected_library_path = false,
                                                   .init_reserved = std::nullopt}));
  CRATON_ASSIGN_OR_RETURN(slot_, slot_with_label(*module_, label_));
  return {};
}

Result<void> VendorToken::provision_nss() {
  // An empty configdir: softokn creates cert9.db/key4.db there on C_Initialize.
  dir_ = std::make_unique<TempDir>();
  const std::filesystem::path db = dir_->path() / "nssdb";
  std::filesystem::create_directory(db);
  // The string goes into config().init_reserved too. The module is initialised here only to
  // set the PIN, and finalised again before any backend exists (NSS keeps its database across
  // C_Finalize and C_Initialize: docs/vendors/nss.md), so a backend initialises it from its
  // config alone: Module::acquire lets the first acquirer decide the C_Initialize arguments.
  init_reserved_ = fmt::format(
      "configdir='sql:{}' certPrefix='' keyPrefix='' secmod='secmod.db' "
      "flags=",
      db.string());
  slot_ = kNssSlot;
  label_ = "NSS Certificate DB";
  pin_ = random_pin();
  CRATON_ASSIGN_OR_RETURN(const std::shared_ptr<const pkcs11::Module> module, module_for_call());
  // NSS has no SO PIN: before a user PIN exists, the empty-PIN SO login may set one.
  return init_user_pin(*module, slot_, "", pin_);
}

Result<std::shared_ptr<const pkcs11::Module>> VendorToken::module_for_call() const {
  if (module_) return module_;
  return pkcs11::Module::acquire({.library_path = std::string(kNssModulePath),
                                  .allow_unprotected_library_path = false,
                                  .init_reserved = init_reserved_});
}

Result<void> VendorToken::provision_opencryptoki() {
  // One soft token and one daemon per machine: two binaries or presets must not overlap. ctest
  // runs this binary under RESOURCE_LOCK too; the flock also covers a second build tree.
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(kOpenCryptokiLock).parent_path(),
                                      ignored);
  lock_fd_ = ::open(std::string(kOpenCryptokiLock).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX) != 0) {
    return fail(ErrorCode::Internal, fmt::format("cannot lock {}", kOpenCryptokiLock));
  }
  const std::filesystem::path swtok(kSwtokDir);
  if (std::filesystem::exists(swtok / "NVTOK.DAT") &&
      !std::filesystem::exists(swtok / ".craton-conformance")) {
    return fail(ErrorCode::Internal,
                fmt::format("{} holds a soft token this suite did not make; it is not wiped. "
                            "Empty that directory to run the openCryptoki conformance tests",
                            kSwtokDir));
  }
  owns_swtok_ = true;  // from here on, teardown stops the daemon and empties the token
  CRATON_RETURN_IF_ERROR(shell(kStopSlotd, "stopping a stale pkcsslotd"));
  CRATON_RETURN_IF_ERROR(shell(kStartSlotd, "starting pkcsslotd"));
  CRATON_ASSIGN_OR_RETURN(
      module_, pkcs11::Module::acquire({.library_path = std::string(kOpenCryptokiModulePath),
                                        .allow_unprotected_library_path = false,
                                        .init_reserved = std::nullopt}));
  slot_ = kOpenCryptokiSlot;
  label_ = "conformance";
  auto label = padded_label(label_);
  CRATON_RETURN_IF_ERROR(module_->call<pkcs11::Fn::InitToken>(
      slot_, pin_ptr(kOpenCryptokiFactorySoPin), CK_ULONG{kOpenCryptokiFactorySoPin.size()},
      label.data()));
  pin_ = random_pin(kOpenCryptokiMaxPin);
  return init_user_pin(*module_, slot_, kOpenCryptokiFactorySoPin, pin_);
}

VendorToken::~VendorToken() {
  module_.reset();  // finalised here unless a backend still holds it
  if (owns_swtok_) {
    EXPECT_TRUE(shell(kStopSlotd, "stopping pkcsslotd").has_value());
    EXPECT_TRUE(shell(kRemoveSwtok, "removing the soft token").has_value());
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Pkcs11PassthroughConfig VendorToken::config() const {
  Pkcs11PassthroughConfig config;
  switch (vendor_) {
    case Vendor::SoftHsm2:
    case Vendor::SoftHsm2Unwrap:
      config.library_path = std::string(kModulePath);
      config.token_label = label_;
      // Every secret and private key by C_UnwrapKey (docs/import-by-unwrap.md).
      if (vendor_ == Vendor::SoftHsm2Unwrap) config.import_method = ImportMethod::Unwrap;
      break;
    case Vendor::NssSoftokn:
      config.library_path = std::string(kNssModulePath);
      config.init_reserved = init_reserved_;
      config.slot_id = slot_;
      break;
    case Vendor::OpenCryptoki:
      config.library_path = std::string(kOpenCryptokiModulePath);
      config.slot_id = slot_;
      break;
  }
  config.pool_size = 2;
  config.user_pin = pin_.clone();
  return config;
}

Result<std::size_t> VendorToken::count_objects() const {
  using pkcs11::Fn;
  CRATON_ASSIGN_OR_RETURN(const std::shared_ptr<const pkcs11::Module> module, module_for_call());
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  CRATON_RETURN_IF_ERROR(module->call<Fn::OpenSession>(slot_, CK_FLAGS{CKF_SERIAL_SESSION}, nullptr,
                                                       nullptr, &session));
  const CK_RV login = module->invoke<Fn::Login>(session, CK_USER_TYPE{CKU_USER},
                                                pin_ptr(pin_.expose()), CK_ULONG{pin_.size()});
  std::size_t objects = 0;
  Result<void> done;
  if (login != CKR_OK && login != CKR_USER_ALREADY_LOGGED_IN) {
    done = fail(ErrorCode::PinIncorrect, fmt::format("C_Login answered {:#x}", login));
  } else {
    done = module->call<Fn::FindObjectsInit>(session, nullptr, CK_ULONG{0});
    if (done) {
      std::array<CK_OBJECT_HANDLE, 64> found{};
      CK_ULONG n = 0;
      do {
        done = module->call<Fn::FindObjects>(session, found.data(), CK_ULONG{found.size()}, &n);
        objects += n;
      } while (done && n == found.size());
      (void)module->invoke<Fn::FindObjectsFinal>(session);
    }
  }
  if (login == CKR_OK) (void)module->invoke<Fn::Logout>(session);
  (void)module->invoke<Fn::CloseSession>(session);
  if (!done) return std::unexpected(done.error());
  return objects;
}

Result<std::optional<std::uint64_t>> VendorToken::session_count() const {
  CRATON_ASSIGN_OR_RETURN(const std::shared_ptr<const pkcs11::Module> module, module_for_call());
  CK_TOKEN_INFO info{};
  CRATON_RETURN_IF_ERROR(module->call<pkcs11::Fn::GetTokenInfo>(slot_, &info));
  if (info.ulSessionCount == CK_UNAVAILABLE_INFORMATION) return std::nullopt;
  return std::optional<std::uint64_t>(info.ulSessionCount);
}

}  // namespace craton::hsm::testing
