// SPDX-License-Identifier: Apache-2.0
// The benchmark cases: which operation, on which message size, with which kind of key, named
// once for the suite, the CLI and the reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/raw/raw_token.h"

namespace craton::hsm::bench {

using raw::RawOp;

// How the backend's key is held. Every variant has a raw counterpart in the same run.
enum class KeyVariant : std::uint8_t {
  // Material keys, already imported in the session's cache (the steady state).
  CacheHit,
  // Material keys cycling through more keys than the cache holds, so every operation imports
  // its key (and evicts one); raw does C_CreateObject + operation + C_DestroyObject.
  CacheMiss,
  // Token-resident keys from Pkcs11Backend::generate_resident_key (a label unique to the run,
  // destroyed at the end); the raw side stores the same kind of key as a token object and
  // each worker finds it once with C_FindObjects. Judged by the same targets as CacheHit.
  Resident,
};

[[nodiscard]] std::string_view variant_name(KeyVariant variant) noexcept;

struct BenchCase {
  std::string name;  // "aes256-gcm-1k", "ecdsa-p256-sign"
  RawOp op = RawOp::Sha256;
  std::size_t size = 0;  // message bytes (random: bytes drawn)
  KeyVariant variant = KeyVariant::CacheHit;
  [[nodiscard]] bool is_hit() const noexcept { return variant == KeyVariant::CacheHit; }
  // Miss cases only report import cost; the others are judged (throughput ratio, scaling).
  [[nodiscard]] bool is_miss() const noexcept { return variant == KeyVariant::CacheMiss; }
  // name plus "[miss]" / "[resident]" for those variants
  [[nodiscard]] std::string label() const;
};

// 64 -> "64", 1024 -> "1k", 65536 -> "64k", 1048576 -> "1m".
[[nodiscard]] std::string size_label(std::size_t bytes);

// Every case, AES-GCM once per size in `gcm_sizes`, cache-miss variants when `with_misses`,
// resident-key variants (ECDSA, RSA PKCS#1, AES-GCM 1 KiB) when `with_resident`.
[[nodiscard]] std::vector<BenchCase> all_cases(std::span<const std::size_t> gcm_sizes,
                                               bool with_misses, bool with_resident = false);

// The cases whose name starts with one of `filters` (all of them when `filters` is empty).
[[nodiscard]] std::vector<BenchCase> select_cases(std::vector<BenchCase> cases,
                                                  std::span<const std::string> filters);

}  // namespace craton::hsm::bench
