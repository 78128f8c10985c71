// SPDX-License-Identifier: Apache-2.0
// What the core's safety costs: wiping secrets, constant-time compare, building error text.
#include <craton/hsm/error.h>
#include <craton/hsm/secret.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace craton::hsm {
namespace {

// Sizes of an AES-256 key and of a page-sized blob (a wrapped RSA key, a large PIN file).
constexpr std::int64_t kSmall = 32;
constexpr std::int64_t kLarge = 4096;

std::vector<std::uint8_t> pattern(std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 131 + 7);
  return bytes;
}

// Baseline for the next benchmark: the same copy into a plain vector, freed without wiping.
void BM_VectorConstructFree(benchmark::State& state) {
  const auto source = pattern(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::vector<std::uint8_t> copy(source.begin(), source.end());
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_VectorConstructFree)->Arg(kSmall)->Arg(kLarge);

// SecretBytes copy-in plus the OPENSSL_cleanse its allocator runs on free.
void BM_SecretBytesConstructWipe(benchmark::State& state) {
  const auto source = pattern(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    SecretBytes secret{std::span<const std::uint8_t>(source)};
    benchmark::DoNotOptimize(secret.expose().data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SecretBytesConstructWipe)->Arg(kSmall)->Arg(kLarge);

// The same for key material (KeySecretBytes): from the MADV_DONTDUMP pages of
// allocate_dontdump instead of the heap. Paid once per Key, never per operation.
void BM_KeySecretBytesConstructWipe(benchmark::State& state) {
  const auto source = pattern(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    KeySecretBytes secret{std::span<const std::uint8_t>(source)};
    benchmark::DoNotOptimize(secret.expose().data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_KeySecretBytesConstructWipe)->Arg(kSmall)->Arg(kLarge)->Arg(8192);

// Equal inputs: memcmp's worst case, and constant_time_equal's only case. In two buffers: with
// one buffer twice, memcmp could return on the equal pointers without reading.
void BM_Memcmp(benchmark::State& state) {
  const auto a = pattern(static_cast<std::size_t>(state.range(0)));
  const auto b = a;  // NOLINT(performance-unnecessary-copy-initialization): a second buffer
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.data());
    benchmark::DoNotOptimize(b.data());
    benchmark::DoNotOptimize(std::memcmp(a.data(), b.data(), a.size()));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Memcmp)->Arg(kSmall)->Arg(kLarge);

void BM_ConstantTimeEqual(benchmark::State& state) {
  const auto a = pattern(static_cast<std::size_t>(state.range(0)));
  const auto b = a;  // NOLINT(performance-unnecessary-copy-initialization): a second buffer
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.data());
    benchmark::DoNotOptimize(b.data());
    benchmark::DoNotOptimize(constant_time_equal(a, b));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ConstantTimeEqual)->Arg(kSmall)->Arg(kLarge);

// Error text is built on every failure path that is logged or audited.
void BM_HsmErrorToString_Plain(benchmark::State& state) {
  const HsmError error(ErrorCode::InvalidArgument, "plaintext must not be empty");
  for (auto _ : state) {
    std::string text = error.to_string();
    benchmark::DoNotOptimize(text.data());
  }
}
BENCHMARK(BM_HsmErrorToString_Plain);

void BM_HsmErrorToString_Pkcs11(benchmark::State& state) {
  const HsmError error(ErrorCode::PinIncorrect, "login refused", "C_Login", 0xa0,
                       "CKR_PIN_INCORRECT");
  for (auto _ : state) {
    std::string text = error.to_string();
    benchmark::DoNotOptimize(text.data());
  }
}
BENCHMARK(BM_HsmErrorToString_Pkcs11);

}  // namespace
}  // namespace craton::hsm
