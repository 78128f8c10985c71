// SPDX-License-Identifier: Apache-2.0
// Secrets wipe their memory, refuse to print, and copy only when asked.
#include <craton/hsm/secret.h>

#include <algorithm>
#include <array>
#include <span>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

namespace craton::hsm {
namespace {

// An upstream allocator that inspects every block just before it goes back to the heap: the
// wiping allocator must already have zeroed it.
struct FreedMemory {
  static inline std::size_t blocks = 0;
  static inline std::size_t dirty_blocks = 0;
};

template <typename T>
struct InspectingAllocator : std::allocator<T> {
  using value_type = T;
  template <typename U>
  struct rebind {  // NOLINT(readability-identifier-naming): the name the allocator requirements use
    using other = InspectingAllocator<U>;
  };
  InspectingAllocator() = default;
  template <typename U>
  explicit InspectingAllocator(const InspectingAllocator<U>& /*other*/) noexcept {}
  void deallocate(T* p, std::size_t n) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(p);
    ++FreedMemory::blocks;
    if (!std::all_of(bytes, bytes + n * sizeof(T), [](unsigned char b) { return b == 0; })) {
      ++FreedMemory::dirty_blocks;
    }
    std::allocator<T>::deallocate(p, n);
  }
};

using InspectedSecret = BasicSecretBytes<InspectingAllocator<std::uint8_t>>;

const std::vector<std::uint8_t> kKey{0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04};

TEST(SecretBytesTest, MemoryIsWipedBeforeItIsFreed) {
  FreedMemory::blocks = FreedMemory::dirty_blocks = 0;
  {
    InspectedSecret secret(kKey);
    InspectedSecret moved = std::move(secret);
    InspectedSecret copy = moved.clone();
    EXPECT_TRUE(copy.equals(moved));
  }
  EXPECT_EQ(FreedMemory::blocks, 2u) << "the original and the clone";
  EXPECT_EQ(FreedMemory::dirty_blocks, 0u);
}

TEST(SecretBytesTest, TruncateWipesTheTail) {
  FreedMemory::blocks = FreedMemory::dirty_blocks = 0;
  {
    InspectedSecret secret(kKey);
    secret.truncate(3);
    ASSERT_EQ(secret.size(), 3u);
    EXPECT_EQ(secret.expose()[2], 0xbe);
    // The buffer keeps its capacity; the bytes past size() must already be zero.
    const std::uint8_t* tail = secret.expose().data() + 3;
    EXPECT_TRUE(std::all_of(tail, tail + kKey.size() - 3, [](std::uint8_t b) { return b == 0; }));
  }
  EXPECT_EQ(FreedMemory::dirty_blocks, 0u);
}

TEST(SecretBytesTest, IsMoveOnly) {
  static_assert(!std::is_copy_constructible_v<SecretBytes>);
  static_assert(!std::is_copy_assignable_v<SecretBytes>);
  static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
  static_assert(!std::is_copy_constructible_v<SecretString>);
  SecretBytes a(kKey);
  SecretBytes b = std::move(a);
  EXPECT_EQ(b.size(), kKey.size());
}

TEST(SecretBytesTest, PrintsRedacted) {
  const SecretBytes secret(kKey);
  std::ostringstream stream;
  stream << secret;
  EXPECT_EQ(stream.str(), "<redacted>");
  EXPECT_EQ(fmt::format("{}", secret), "<redacted>");
  EXPECT_EQ(fmt::format("{:>12}", secret), "  <redacted>");
}

TEST(SecretBytesTest, EqualsComparesContentAndLength) {
  const SecretBytes a(kKey);
  SecretBytes b = a.clone();
  EXPECT_TRUE(a.equals(b));
  b.expose_mut()[7] ^= 1;
  EXPECT_FALSE(a.equals(b));
  b.truncate(4);
  EXPECT_FALSE(a.equals(b));
}

TEST(SecretStringTest, PrintsRedactedAndExposesOnRequest) {
  const SecretString pin("9731-distinct-pin");
  std::ostringstream stream;
  stream << pin;
  EXPECT_EQ(stream.str(), "<redacted>");
  EXPECT_EQ(fmt::format("{}", pin), "<redacted>");
  EXPECT_EQ(pin.expose(), "9731-distinct-pin");
}

TEST(SecretStringTest, TakeWipesTheSourceString) {
  std::string plain = "a-pin-long-enough-to-live-on-the-heap-not-in-sso";
  const char* buffer = plain.data();
  const std::size_t length = plain.size();
  SecretString pin = SecretString::take(std::move(plain));
  EXPECT_EQ(pin.size(), length);
  EXPECT_TRUE(plain.empty());  // NOLINT(bugprone-use-after-move): take() clears it on purpose
  // The source kept its buffer (clear() does not free): it must hold no PIN bytes now.
  EXPECT_TRUE(std::all_of(buffer, buffer + length, [](char c) { return c == 0; }));
}

#if defined(__x86_64__)
// Every vector register's contents, stored in one asm block right at the call: ymm0-15, and
// zmm16-31 where the CPU has them. Never inlined, and the buffer is left uninitialised, so no
// vector instruction of the test's own runs between the copy under test and the reading.
[[gnu::noinline]] std::vector<std::uint8_t> vector_registers() {
  constexpr std::size_t kYmmBytes = std::size_t{16} * 32;
  alignas(64) std::uint8_t dump[kYmmBytes + std::size_t{16} * 64];
  std::uint8_t* const ymm = dump;
  std::uint8_t* const zmm = dump + kYmmBytes;
  asm volatile(
      "vmovdqu %%ymm0, 0(%0)\n\t"
      "vmovdqu %%ymm1, 32(%0)\n\t"
      "vmovdqu %%ymm2, 64(%0)\n\t"
      "vmovdqu %%ymm3, 96(%0)\n\t"
      "vmovdqu %%ymm4, 128(%0)\n\t"
      "vmovdqu %%ymm5, 160(%0)\n\t"
      "vmovdqu %%ymm6, 192(%0)\n\t"
      "vmovdqu %%ymm7, 224(%0)\n\t"
      "vmovdqu %%ymm8, 256(%0)\n\t"
      "vmovdqu %%ymm9, 288(%0)\n\t"
      "vmovdqu %%ymm10, 320(%0)\n\t"
      "vmovdqu %%ymm11, 352(%0)\n\t"
      "vmovdqu %%ymm12, 384(%0)\n\t"
      "vmovdqu %%ymm13, 416(%0)\n\t"
      "vmovdqu %%ymm14, 448(%0)\n\t"
      "vmovdqu %%ymm15, 480(%0)"
      :
      : "r"(ymm)
      : "memory");
  std::size_t size = kYmmBytes;
  if (__builtin_cpu_supports("avx512f")) {
    asm volatile(
        "vmovdqu64 %%zmm16, 0(%0)\n\t"
        "vmovdqu64 %%zmm17, 64(%0)\n\t"
        "vmovdqu64 %%zmm18, 128(%0)\n\t"
        "vmovdqu64 %%zmm19, 192(%0)\n\t"
        "vmovdqu64 %%zmm20, 256(%0)\n\t"
        "vmovdqu64 %%zmm21, 320(%0)\n\t"
        "vmovdqu64 %%zmm22, 384(%0)\n\t"
        "vmovdqu64 %%zmm23, 448(%0)\n\t"
        "vmovdqu64 %%zmm24, 512(%0)\n\t"
        "vmovdqu64 %%zmm25, 576(%0)\n\t"
        "vmovdqu64 %%zmm26, 640(%0)\n\t"
        "vmovdqu64 %%zmm27, 704(%0)\n\t"
        "vmovdqu64 %%zmm28, 768(%0)\n\t"
        "vmovdqu64 %%zmm29, 832(%0)\n\t"
        "vmovdqu64 %%zmm30, 896(%0)\n\t"
        "vmovdqu64 %%zmm31, 960(%0)"
        :
        : "r"(zmm)
        : "memory");
    size = sizeof(dump);
  }
  return {dump, dump + size};
}

// Whether any 16 consecutive bytes of `secret` occur in `haystack`.
bool holds_a_piece_of(std::span<const std::uint8_t> haystack,
                      std::span<const std::uint8_t> secret) {
  constexpr std::size_t kPiece = 16;
  for (std::size_t at = 0; at + kPiece <= secret.size(); ++at) {
    const auto piece = secret.subspan(at, kPiece);
    if (std::search(haystack.begin(), haystack.end(), piece.begin(), piece.end()) !=
        haystack.end()) {
      return true;
    }
  }
  return false;
}

// memcpy leaves the last bytes it copied in a vector register, which the dynamic linker's
// lazy-binding trampoline later saves on the stack (a PKCS#8 key's tail, its RSA qInv, was found
// there). The containers clear the registers after every copy.
TEST(SecretBytesTest, ACopyLeavesNoneOfItsBytesInTheVectorRegisters) {
  if (!__builtin_cpu_supports("avx")) GTEST_SKIP() << "the test reads the registers as ymm";
  std::vector<std::uint8_t> key(1024);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 37 + 11);
  std::vector<std::uint8_t> registers;
  {
    const KeySecretBytes copy(key);
    registers = vector_registers();
  }
  EXPECT_FALSE(holds_a_piece_of(registers, key));
}

TEST(SecretStringTest, ACopyLeavesNoneOfItsBytesInTheVectorRegisters) {
  if (!__builtin_cpu_supports("avx")) GTEST_SKIP() << "the test reads the registers as ymm";
  const std::string text = "a passphrase of more than one vector's length, 0123456789";
  std::vector<std::uint8_t> registers;
  {
    const SecretString copy(text);
    registers = vector_registers();
  }
  EXPECT_FALSE(holds_a_piece_of(
      registers, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
}
#endif

TEST(SecureWipeTest, ZeroesABufferWeOwn) {
  std::array<std::uint8_t, 32> buffer{};
  buffer.fill(0xaa);
  secure_wipe(buffer.data(), buffer.size());
  EXPECT_TRUE(std::all_of(buffer.begin(), buffer.end(), [](std::uint8_t b) { return b == 0; }));
}

TEST(ConstantTimeEqualTest, HandlesEmptyAndDifferentLengths) {
  const std::vector<std::uint8_t> a{1, 2, 3};
  const std::vector<std::uint8_t> b{1, 2, 3};
  const std::vector<std::uint8_t> c{1, 2};
  EXPECT_TRUE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal(a, c));
  EXPECT_TRUE(constant_time_equal({}, {}));
}

}  // namespace
}  // namespace craton::hsm
