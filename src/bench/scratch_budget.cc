// SPDX-License-Identifier: Apache-2.0
// Making and removing the benchmark's throwaway budget store and identity key.
#include "bench/scratch_budget.h"

#include <craton/hsm/diagnostics.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include <fmt/format.h>

#include "core/unique_fd.h"

namespace craton::hsm::bench {
namespace {

HsmError unavailable(std::string_view what, const std::filesystem::path& path, int error) {
  return HsmError(ErrorCode::BudgetStoreUnavailable,
                  fmt::format("{} {}: {}", what, path.string(), errno_text(error)));
}

}  // namespace

ScratchBudget::ScratchBudget(std::filesystem::path directory) : directory_(std::move(directory)) {}

ScratchBudget::~ScratchBudget() {
  std::error_code error;
  std::filesystem::remove_all(directory_, error);
  if (error) {
    report_diagnostic(HsmError(ErrorCode::BudgetStoreUnavailable,
                               fmt::format("cannot remove the benchmark's budget store {}: {}",
                                           directory_.string(), error.message())));
  }
}

Result<std::unique_ptr<ScratchBudget>> ScratchBudget::create() {
  std::error_code error;
  const std::filesystem::path base = std::filesystem::temp_directory_path(error);
  if (error) return fail(ErrorCode::BudgetStoreUnavailable, "no temporary directory");
  std::string name = (base / "craton-bench-budget-XXXXXX").string();
  if (::mkdtemp(name.data()) == nullptr) {
    return std::unexpected(unavailable("cannot create", name, errno));
  }
  std::unique_ptr<ScratchBudget> scratch(new ScratchBudget(name));
  const std::filesystem::path key_file = *scratch->common().identity_key_file;
  std::array<unsigned char, 32> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return fail(ErrorCode::Internal, "RAND_bytes failed for the budget identity key");
  }
  const UniqueFd fd(
      ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  const int open_error = errno;
  const ssize_t written = fd.valid() ? ::write(fd.get(), key.data(), key.size()) : -1;
  const int write_error = errno;
  OPENSSL_cleanse(key.data(), key.size());
  if (!fd.valid()) return std::unexpected(unavailable("cannot create", key_file, open_error));
  if (written != static_cast<ssize_t>(key.size())) {
    return std::unexpected(unavailable("cannot write", key_file, write_error));
  }
  return scratch;
}

BudgetConfig ScratchBudget::common() const {
  BudgetConfig config;
  config.identity_key_file = directory_ / "identity.key";
  // A block lasts about a second at SoftHSM2's ~60,000 AES-GCM operations per second, so a
  // reservation reaches the store about once a second (docs/budgets.md, "Block sizing"); from
  // 1024 the block gets there in 6 doublings, within the first round.
  config.block_min = 1024;
  config.block_max = 65536;
  return config;
}

BudgetConfig ScratchBudget::sqlite() const {
  BudgetConfig config = common();
  config.store = BudgetStoreKind::Sqlite;
  config.path = directory_ / "budgets.db";
  return config;
}

BudgetConfig ScratchBudget::postgresql(const std::string& url) const {
  BudgetConfig config = common();
  config.store = BudgetStoreKind::Postgresql;
  config.url = url;
  return config;
}

}  // namespace craton::hsm::bench
