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

#include "pkcs11/raw/raw_token.h"

namespace craton::hsm::bench {

using pkcs11::raw::RawOp;

// How the backend's key is held. Every variant has a raw counterpart in the same run.
enum class KeyVariant : std::uint8_t {
  // Material keys, already imported in the session's cache (the steady state).
  CacheHit,
  // Material keys cycling through more keys than the cache holds, so every operation imports
  // its key (and evicts one); raw does C_CreateObject + operation + C_DestroyObject.
  CacheMiss,
  // HOOK(resident keys): token-resident keys from Pkcs11Backend::generate_resident_key /
  // find_key, once they stop answering FunctionNotSupported. The raw side is then a token
  // object found once with C_FindObjects. Add the value here, the key set-up in
  // bench_session.cc (make_keys) and the case list in cases.cc; reports need no change.
};

[[nodiscard]] std::string_view variant_name(KeyVariant variant) noexcept;

struct BenchCase {
  std::string name;  // "aes256-gcm-1k", "ecdsa-p256-sign"
  RawOp op = RawOp::Sha256;
  std::size_t size = 0;  // message bytes (random: bytes drawn)
  KeyVariant variant = KeyVariant::CacheHit;
  // The target cases (throughput ratio, scaling); miss cases only report import cost.
  [[nodiscard]] bool is_hit() const noexcept { return variant == KeyVariant::CacheHit; }
  [[nodiscard]] std::string label() const;  // name plus "[miss]" for miss cases
};

// 64 -> "64", 1024 -> "1k", 65536 -> "64k", 1048576 -> "1m".
[[nodiscard]] std::string size_label(std::size_t bytes);

// Every case, AES-GCM once per size in `gcm_sizes`, cache-miss variants when `with_misses`.
[[nodiscard]] std::vector<BenchCase> all_cases(std::span<const std::size_t> gcm_sizes,
                                               bool with_misses);

// The cases whose name starts with one of `filters` (all of them when `filters` is empty).
[[nodiscard]] std::vector<BenchCase> select_cases(std::vector<BenchCase> cases,
                                                  std::span<const std::string> filters);

}  // namespace craton::hsm::bench
