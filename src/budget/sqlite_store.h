// SPDX-License-Identifier: Apache-2.0
// The budget store of one host: an SQLite file shared by the host's processes
// (docs/budget-stores.md).
#pragma once

#include <craton/hsm/error.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "budget/budget_store.h"

namespace craton::hsm::budget {

// Opens (creating when missing: prepare_store_file) the store at `path`, switches it to WAL
// mode, creates its table, and proves it writable. Every reservation is one BEGIN IMMEDIATE
// transaction committed with synchronous=FULL: on disk before reserve() returns, and
// serialised across processes by SQLite's file locks. Waits for another process's lock (and
// for this process's other threads) are bounded by `timeout`. A process must open its own
// store after fork(), never use its parent's. Errors: as prepare_store_file; otherwise
// BudgetStoreUnavailable (not a database, read-only, locked for longer than `timeout`).
[[nodiscard]] Result<std::unique_ptr<BudgetStore>> open_sqlite_store(
    const std::filesystem::path& path, std::chrono::milliseconds timeout);

}  // namespace craton::hsm::budget
