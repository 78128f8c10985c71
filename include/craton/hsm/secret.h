// SPDX-License-Identifier: Apache-2.0
// SecretBytes / SecretString: wiped when freed, never copied implicitly, never printed.
#pragma once

#include <craton/hsm/export.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace craton::hsm {

// Overwrites `size` bytes at `data` in a way the compiler cannot elide (OPENSSL_cleanse).
CRATON_HSM_API void secure_wipe(void* data, std::size_t size) noexcept;

// Zeroes the CPU's vector registers. memcpy moves the bytes it copies through them and leaves the
// last ones there, and the dynamic linker's lazy-binding trampoline (any library's first call of
// a function) later saves every vector register on the stack, where no wipe reaches. The secret
// containers call it after every copy they make.
CRATON_HSM_API void wipe_vector_registers() noexcept;

// Compares in time that depends only on the lengths, never on the contents.
[[nodiscard]] CRATON_HSM_API bool constant_time_equal(std::span<const std::uint8_t> a,
                                                      std::span<const std::uint8_t> b) noexcept;

// Wipes every block before handing it back to `Upstream`; vector growth therefore wipes the
// old buffer too. `Upstream` is a parameter so tests can observe freed memory.
template <typename T, typename Upstream = std::allocator<T>>
struct WipingAllocator : Upstream {
  using value_type = T;
  template <typename U>
  struct rebind {  // NOLINT(readability-identifier-naming): the name the allocator requirements use
    using other =
        WipingAllocator<U, typename std::allocator_traits<Upstream>::template rebind_alloc<U>>;
  };
  WipingAllocator() = default;
  template <typename U, typename V>
  explicit WipingAllocator(const WipingAllocator<U, V>& /*other*/) noexcept {}

  void deallocate(T* p, std::size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    Upstream::deallocate(p, n);
  }
};

// Memory for secrets that live long (PINs, key material), from pages marked MADV_DONTDUMP so a
// core dump of the process leaves them out (where the kernel supports it; elsewhere they are
// ordinary anonymous pages). Blocks of up to 4 KiB are carved from 64 KiB mappings by size
// class and kept for reuse, never returned to the system; larger blocks are mappings of their
// own. Per-operation buffers do not come from here: the hot path stays on the ordinary heap.
// deallocate_dontdump wipes the block before it is reused. Thread-safe, and usable in a child
// after fork(). allocate_dontdump throws std::bad_alloc when no memory can be mapped.
[[nodiscard]] CRATON_HSM_API void* allocate_dontdump(std::size_t size);
CRATON_HSM_API void deallocate_dontdump(void* block, std::size_t size) noexcept;

// The standard-allocator face of allocate_dontdump, for WipingAllocator's `Upstream`.
template <typename T>
struct DontDumpAllocator {
  using value_type = T;
  DontDumpAllocator() = default;
  template <typename U>
  explicit DontDumpAllocator(const DontDumpAllocator<U>& /*other*/) noexcept {}
  [[nodiscard]] T* allocate(std::size_t n) {
    return static_cast<T*>(allocate_dontdump(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { deallocate_dontdump(p, n * sizeof(T)); }
  friend bool operator==(const DontDumpAllocator& /*a*/, const DontDumpAllocator& /*b*/) noexcept {
    return true;
  }
};

// Secret key bytes. Move-only; `clone()` is the one explicit way to copy; the bytes are reached
// only through `expose()`, so every use is greppable. Prints as "<redacted>".
// Thread-safety: like std::vector (concurrent const access only).
template <typename Upstream>
class BasicSecretBytes {
 public:
  using Storage = std::vector<std::uint8_t, WipingAllocator<std::uint8_t, Upstream>>;

  BasicSecretBytes() = default;
  explicit BasicSecretBytes(std::span<const std::uint8_t> bytes)
      : bytes_(bytes.begin(), bytes.end()) {
    wipe_vector_registers();
  }
  // `size` zero bytes, to be filled through expose_mut() (e.g. by a PKCS#11 call).
  static BasicSecretBytes zeroed(std::size_t size) {
    BasicSecretBytes secret;
    secret.bytes_.resize(size);
    return secret;
  }

  BasicSecretBytes(const BasicSecretBytes&) = delete;
  BasicSecretBytes& operator=(const BasicSecretBytes&) = delete;
  BasicSecretBytes(BasicSecretBytes&&) noexcept = default;
  BasicSecretBytes& operator=(BasicSecretBytes&&) noexcept = default;
  ~BasicSecretBytes() = default;  // the allocator wipes

  [[nodiscard]] BasicSecretBytes clone() const { return BasicSecretBytes(expose()); }
  [[nodiscard]] std::span<const std::uint8_t> expose() const noexcept { return bytes_; }
  [[nodiscard]] std::span<std::uint8_t> expose_mut() noexcept { return bytes_; }
  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  [[nodiscard]] bool empty() const noexcept { return bytes_.empty(); }
  // Shrinks to the length a token actually returned; the cut-off tail is wiped.
  void truncate(std::size_t size) noexcept {
    if (size >= bytes_.size()) return;
    secure_wipe(bytes_.data() + size, bytes_.size() - size);
    bytes_.resize(size);
  }
  [[nodiscard]] bool equals(const BasicSecretBytes& other) const noexcept {
    return constant_time_equal(expose(), other.expose());
  }

 private:
  Storage bytes_;
};

// Per-operation secrets (decrypted plaintext, unwrapped keys, attribute values read back).
using SecretBytes = BasicSecretBytes<std::allocator<std::uint8_t>>;
// Secrets kept as long as a key is (its material): in pages left out of core dumps.
using KeySecretBytes = BasicSecretBytes<DontDumpAllocator<std::uint8_t>>;

// A PIN or passphrase. Stored without small-string optimisation so that every byte lives in
// wiped memory, from pages left out of core dumps (allocate_dontdump). Same access rules as
// SecretBytes.
class CRATON_HSM_API SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string_view text) : chars_(text.begin(), text.end()) {
    wipe_vector_registers();
  }
  // Takes over a plain string and wipes the caller's buffer, so the secret has one home.
  static SecretString take(std::string&& text);

  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  SecretString(SecretString&&) noexcept = default;
  SecretString& operator=(SecretString&&) noexcept = default;
  ~SecretString() = default;

  [[nodiscard]] SecretString clone() const { return SecretString(expose()); }
  [[nodiscard]] std::string_view expose() const noexcept { return {chars_.data(), chars_.size()}; }
  [[nodiscard]] std::size_t size() const noexcept { return chars_.size(); }
  [[nodiscard]] bool empty() const noexcept { return chars_.empty(); }

 private:
  std::vector<char, WipingAllocator<char, DontDumpAllocator<char>>> chars_;
};

inline constexpr std::string_view kRedacted = "<redacted>";

template <typename Upstream>
std::ostream& operator<<(std::ostream& out, const BasicSecretBytes<Upstream>& /*secret*/) {
  return out << kRedacted;
}
inline std::ostream& operator<<(std::ostream& out, const SecretString& /*secret*/) {
  return out << kRedacted;
}

}  // namespace craton::hsm

template <typename Upstream>
struct fmt::formatter<craton::hsm::BasicSecretBytes<Upstream>> : fmt::formatter<std::string_view> {
  auto format(const craton::hsm::BasicSecretBytes<Upstream>& /*secret*/,
              fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(craton::hsm::kRedacted, ctx);
  }
};

template <>
struct fmt::formatter<craton::hsm::SecretString> : fmt::formatter<std::string_view> {
  auto format(const craton::hsm::SecretString& /*secret*/, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(craton::hsm::kRedacted, ctx);
  }
};
