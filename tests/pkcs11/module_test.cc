// SPDX-License-Identifier: Apache-2.0
// Module loading against the real SoftHSM2 library: path policy, non-modules, sharing, and
// the rule that we finalise only what we initialised.
#include "pkcs11/loader/module.h"

#include <dlfcn.h>

#include <filesystem>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pkcs11/session/token.h"
#include "support/matchers.h"
#include "support/softhsm_module.h"

namespace craton::hsm::pkcs11 {
namespace {

namespace fs = std::filesystem;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::kModulePath;
using ::craton::hsm::testing::TempDir;
using ::testing::HasSubstr;

constexpr const char* kZlib = "/usr/lib/x86_64-linux-gnu/libz.so.1";

ModuleOptions options_for(const fs::path& path, bool allow_unprotected = false) {
  return {.library_path = path,
          .allow_unprotected_library_path = allow_unprotected,
          .init_reserved = std::nullopt};
}

// A copy of the SoftHSM2 library inside a temp directory, with chosen permissions.
fs::path copy_module(const TempDir& dir, fs::perms file_perms) {
  fs::path copy = dir.path() / "libcopy.so";
  fs::copy_file(fs::path(kModulePath), copy, fs::copy_options::overwrite_existing);
  fs::permissions(copy, file_perms);
  return copy;
}

// Direct access to the library, bypassing Module, to observe its initialisation state.
struct RawModule {
  explicit RawModule(const char* path) : handle(dlopen(path, RTLD_NOW | RTLD_LOCAL)) {
    auto* get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(handle, "C_GetFunctionList"));
    get(&functions);
  }
  ~RawModule() { dlclose(handle); }
  RawModule(const RawModule&) = delete;
  RawModule& operator=(const RawModule&) = delete;
  CK_RV get_info() const {
    CK_INFO info{};
    return functions->C_GetInfo(&info);
  }
  void* handle;
  CK_FUNCTION_LIST_PTR functions = nullptr;
};

TEST(ModuleTest, LoadsSoftHsmAndDescribesIt) {
  auto module = Module::acquire(options_for(kModulePath));
  ASSERT_THAT(module, IsOk());
  EXPECT_TRUE((*module)->initialized_by_us());
  EXPECT_FALSE((*module)->serializes_calls());
  auto library = describe_library(**module);
  ASSERT_THAT(library, IsOk());
  EXPECT_EQ(library->manufacturer, "SoftHSM");
  EXPECT_EQ(library->cryptoki_version.major, 2);
  EXPECT_EQ((*module)->call_count(Fn::Initialize), 1u);
}

TEST(ModuleTest, RefusesARelativePath) {
  auto module = Module::acquire(options_for("lib/softhsm/libsofthsm2.so"));
  EXPECT_THAT(module, HasErrorCode(ErrorCode::ConfigInvalid));
  EXPECT_THAT(module.error().message(), HasSubstr("absolute"));
}

TEST(ModuleTest, ReportsAMissingFileWithItsPath) {
  auto module = Module::acquire(options_for("/usr/lib/does-not-exist/libnothing.so"));
  EXPECT_THAT(module, HasErrorCode(ErrorCode::LibraryLoad));
  EXPECT_THAT(module.error().message(), HasSubstr("/usr/lib/does-not-exist/libnothing.so"));
}

TEST(ModuleTest, RefusesAWorldWritableLibraryAndNamesIt) {
  const TempDir dir;
  const fs::path copy =
      copy_module(dir, fs::perms::owner_all | fs::perms::others_write | fs::perms::others_read);
  auto module = Module::acquire(options_for(copy));
  EXPECT_THAT(module, HasErrorCode(ErrorCode::LibraryPathUnprotected));
  EXPECT_THAT(module.error().message(), HasSubstr(copy.string()));
  EXPECT_THAT(module.error().message(), HasSubstr("others"));
}

TEST(ModuleTest, RefusesAGroupWritableLibrary) {
  const TempDir dir;
  const fs::path copy = copy_module(dir, fs::perms::owner_all | fs::perms::group_write);
  auto module = Module::acquire(options_for(copy));
  EXPECT_THAT(module, HasErrorCode(ErrorCode::LibraryPathUnprotected));
  EXPECT_THAT(module.error().message(), HasSubstr("group"));
}

TEST(ModuleTest, RefusesALibraryInAWorldWritableDirectoryAndNamesTheDirectory) {
  const TempDir dir;
  const fs::path copy = copy_module(dir, fs::perms::owner_all);
  fs::permissions(dir.path(), fs::perms::all);
  auto module = Module::acquire(options_for(copy));
  EXPECT_THAT(module, HasErrorCode(ErrorCode::LibraryPathUnprotected));
  EXPECT_THAT(module.error().message(), HasSubstr(fmt::format("'{}'", dir.path().string())));
}

TEST(ModuleTest, OptOutLoadsAnUnprotectedLibrary) {
  const TempDir dir;
  const fs::path copy = copy_module(dir, fs::perms::all);
  auto module = Module::acquire(options_for(copy, /*allow_unprotected=*/true));
  ASSERT_THAT(module, IsOk());
  EXPECT_THAT(describe_library(**module), IsOk());
}

TEST(ModuleTest, AcceptsAStickyDirectoryAboveAnEntryWeOwn) {
  // The /tmp case: world-writable, but the sticky bit stops others replacing our entry.
  const TempDir dir;
  const fs::path sticky = dir.path() / "sticky";
  fs::create_directory(sticky);
  fs::permissions(sticky, fs::perms::all | fs::perms::sticky_bit);
  const fs::path inner = sticky / "ours";
  fs::create_directory(inner);
  fs::permissions(inner, fs::perms::owner_all);
  const fs::path copy = inner / "libcopy.so";
  fs::copy_file(fs::path(kModulePath), copy);
  fs::permissions(copy, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_THAT(Module::acquire(options_for(copy)), IsOk());
}

TEST(ModuleTest, RefusesASymlinkWhoseTargetIsUnprotected) {
  const TempDir protected_dir;
  const TempDir open_dir;
  const fs::path copy = copy_module(open_dir, fs::perms::all);
  const fs::path link = protected_dir.path() / "link.so";
  fs::create_symlink(copy, link);
  auto module = Module::acquire(options_for(link));
  EXPECT_THAT(module, HasErrorCode(ErrorCode::LibraryPathUnprotected));
  EXPECT_THAT(module.error().message(), HasSubstr(copy.string()));
}

TEST(ModuleTest, ALibraryWithoutCGetFunctionListIsNotAModule) {
  auto module = Module::acquire(options_for(kZlib));
  EXPECT_THAT(module, HasErrorCode(ErrorCode::NotAPkcs11Module));
  EXPECT_THAT(module.error().message(), HasSubstr("C_GetFunctionList"));
}

TEST(ModuleTest, AFileThatIsNoLibraryReportsDlerror) {
  const TempDir dir;
  const fs::path junk = dir.write("junk.so", "this is not an ELF file");
  auto module = Module::acquire(options_for(junk, /*allow_unprotected=*/true));
  EXPECT_THAT(module, HasErrorCode(ErrorCode::LibraryLoad));
  EXPECT_THAT(module.error().message(), HasSubstr("dlopen"));
  EXPECT_THAT(module.error().message(), HasSubstr("junk.so"));
}

TEST(ModuleTest, OneLibraryPathSharesOneModule) {
  auto first = Module::acquire(options_for(kModulePath));
  auto second = Module::acquire(options_for(kModulePath));
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(first->get(), second->get());
  EXPECT_EQ((*first)->call_count(Fn::Initialize), 1u);
}

TEST(ModuleTest, ConcurrentAcquireInitializesOnce) {
  constexpr int kThreads = 8;
  std::vector<std::shared_ptr<const Module>> modules(kThreads);
  std::vector<std::jthread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&modules, i] {
      auto module = Module::acquire(options_for(kModulePath));
      if (module) modules[i] = *module;
    });
  }
  threads.clear();  // joins
  for (const auto& module : modules) {
    ASSERT_NE(module, nullptr);
    EXPECT_EQ(module.get(), modules.front().get());
  }
  EXPECT_EQ(modules.front()->call_count(Fn::Initialize), 1u);
}

TEST(ModuleTest, FinalizesWhatItInitializedWhenTheLastOwnerGoes) {
  const RawModule raw(kModulePath.data());
  {
    auto module = Module::acquire(options_for(kModulePath));
    ASSERT_THAT(module, IsOk());
    EXPECT_EQ(raw.get_info(), CKR_OK);
  }
  EXPECT_EQ(raw.get_info(), CKR_CRYPTOKI_NOT_INITIALIZED);
}

TEST(ModuleTest, WorksWithButNeverFinalizesAModuleSomeoneElseInitialized) {
  const RawModule raw(kModulePath.data());
  ASSERT_EQ(raw.functions->C_Initialize(nullptr), CKR_OK);
  {
    auto module = Module::acquire(options_for(kModulePath));
    ASSERT_THAT(module, IsOk());
    EXPECT_FALSE((*module)->initialized_by_us());
    EXPECT_THAT(describe_library(**module), IsOk());
  }
  EXPECT_EQ(raw.get_info(), CKR_OK) << "Module finalised a library it did not initialise";
  EXPECT_EQ(raw.functions->C_Finalize(nullptr), CKR_OK);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
