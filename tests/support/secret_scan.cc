// SPDX-License-Identifier: Apache-2.0
#include "support/secret_scan.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bitset>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "keys/key_material.h"

namespace craton::hsm::testing {
namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;
// Reserved ranges this large are shadow memory or allocator reservations of the sanitizers.
constexpr std::uintptr_t kLargestScanned = std::uintptr_t{1} << 30;
constexpr std::uint32_t kMask32 = 0xa5a5a5a5U;
static_assert((kMask32 & 0xffU) == SecretNeedles::kMask);

struct Mapping {
  std::uintptr_t start = 0;
  std::uintptr_t end = 0;
  std::string line;
  bool readable = false;
  bool dont_dump = false;
};

// The mappings as /proc/self/smaps lists them, with each one's VmFlags "dd".
std::vector<Mapping> read_mappings() {
  std::vector<Mapping> mappings;
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  while (std::getline(smaps, line)) {
    std::uintptr_t start = 0;
    std::uintptr_t end = 0;
    char dash = 0;
    std::string perms;
    std::istringstream header(line);
    if (header >> std::hex >> start >> dash >> end >> perms && dash == '-') {
      mappings.push_back({start, end, line, perms.starts_with('r'), false});
      continue;
    }
    if (!mappings.empty() && line.starts_with("VmFlags:")) {
      mappings.back().dont_dump = line.find(" dd") != std::string::npos;
    }
  }
  return mappings;
}

bool skipped(const Mapping& mapping) {
  return !mapping.readable || mapping.end - mapping.start > kLargestScanned ||
         mapping.line.ends_with("[vvar]") || mapping.line.ends_with("[vsyscall]");
}

std::uint32_t prefix_of(const std::uint8_t* bytes) {
  std::uint32_t value = 0;
  std::memcpy(&value, bytes, sizeof value);
  return value;
}

std::uint16_t bucket(std::uint32_t masked_prefix) {
  return static_cast<std::uint16_t>((masked_prefix * 2654435761U) >> 16);
}

// The needles' pieces indexed by their first four (masked) bytes.
class Index {
 public:
  explicit Index(const SecretNeedles& needles) : needles_(needles) {
    for (std::size_t i = 0; i < needles.pieces().size(); ++i) {
      const std::uint32_t prefix = prefix_of(needles.pieces()[i].masked.data());
      by_prefix_.emplace_back(prefix, i);
      buckets_.set(bucket(prefix));
      longest_ = std::max(longest_, needles.pieces()[i].masked.size());
    }
    std::ranges::sort(by_prefix_);
  }

  [[nodiscard]] std::size_t longest() const noexcept { return longest_; }

  // Calls found(piece index) for each piece that starts at `at` (with `available` bytes readable).
  template <typename Found>
  void match(const std::uint8_t* at, std::size_t available, Found&& found) const {
    const std::uint32_t masked = prefix_of(at) ^ kMask32;
    if (!buckets_.test(bucket(masked))) return;
    auto range = std::ranges::equal_range(by_prefix_, masked, {},
                                          &std::pair<std::uint32_t, std::size_t>::first);
    for (const auto& [prefix, index] : range) {
      const std::vector<std::uint8_t>& piece = needles_.pieces()[index].masked;
      if (piece.size() > available) continue;
      bool equal = true;
      for (std::size_t k = 4; k < piece.size() && equal; ++k) {
        equal = static_cast<std::uint8_t>(at[k] ^ SecretNeedles::kMask) == piece[k];
      }
      if (equal) found(index);
    }
  }

 private:
  const SecretNeedles& needles_;
  std::vector<std::pair<std::uint32_t, std::size_t>> by_prefix_;
  std::bitset<65536> buckets_;
  std::size_t longest_ = 0;
};

// The window the scan reads into: a mapping of its own, made after the mappings were listed, so
// the copies it holds are never scanned themselves.
struct Window {
  explicit Window(std::size_t size) : size(size) {
    void* mapped = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::runtime_error("secret_scan: mmap failed");
    bytes = static_cast<std::uint8_t*>(mapped);
  }
  ~Window() {
    std::memset(bytes, 0, size);
    munmap(bytes, size);
  }
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  std::uint8_t* bytes = nullptr;
  std::size_t size = 0;
};

}  // namespace

void SecretNeedles::add_text(std::string_view name, std::string_view secret) {
  add_bytes(name, std::span(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()));
}

void SecretNeedles::add_bytes(std::string_view name, std::span<const std::uint8_t> secret,
                              bool reversed_too) {
  if (secret.size() < 4) throw std::invalid_argument("secret_scan: a needle needs 4 bytes");
  add_pieces(std::string(name), secret, false);
  if (reversed_too) add_pieces(std::string(name) + " reversed", secret, true);
}

void add_rsa_private_parts(SecretNeedles& needles, const RsaPrivateParts& rsa) {
  needles.add_bytes("RSA d", rsa.private_exponent.expose(), true);
  needles.add_bytes("RSA p", rsa.prime1.expose(), true);
  needles.add_bytes("RSA q", rsa.prime2.expose(), true);
  needles.add_bytes("RSA dP", rsa.exponent1.expose(), true);
  needles.add_bytes("RSA dQ", rsa.exponent2.expose(), true);
  needles.add_bytes("RSA qInv", rsa.coefficient.expose(), true);
}

void SecretNeedles::add_pieces(const std::string& name, std::span<const std::uint8_t> secret,
                               bool reverse) {
  const std::size_t n = secret.size();
  std::vector<std::size_t> offsets;
  if (n <= kPieceSize) {
    offsets.push_back(0);
  } else {
    for (std::size_t off = 0; off + kPieceSize <= n; off += kPieceSize) offsets.push_back(off);
    if (n % kPieceSize != 0) offsets.push_back(n - kPieceSize);
  }
  for (const std::size_t off : offsets) {
    const std::size_t length = std::min(n, kPieceSize);
    Piece piece{fmt::format("{}[{}..{})", name, off, off + length), {}};
    piece.masked.reserve(length);
    for (std::size_t i = off; i < off + length; ++i) {
      piece.masked.push_back(static_cast<std::uint8_t>(secret[reverse ? n - 1 - i : i] ^ kMask));
    }
    pieces_.push_back(std::move(piece));
  }
}

ScanReport scan_process_memory(const SecretNeedles& needles) {
  ScanReport report;
  if (needles.pieces().empty()) return report;
  const Index index(needles);
  const std::vector<Mapping> mappings = read_mappings();
  const int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("secret_scan: cannot open /proc/self/mem");
  const std::unique_ptr<int, void (*)(int*)> closer(new int(fd), [](int* f) {
    close(*f);
    delete f;
  });
  const std::size_t overlap = index.longest() - 1;
  const Window window(kChunk + overlap);
  for (const Mapping& mapping : mappings) {
    if (skipped(mapping)) continue;
    ++report.mappings_scanned;
    for (std::uintptr_t at = mapping.start; at < mapping.end; at += kChunk) {
      const std::size_t wanted =
          static_cast<std::size_t>(std::min<std::uintptr_t>(kChunk + overlap, mapping.end - at));
      const ssize_t got = pread(fd, window.bytes, wanted, static_cast<off_t>(at));
      if (got < 4) continue;  // an unreadable page (a guard, I/O memory): nothing of ours there
      const auto size = static_cast<std::size_t>(got);
      const std::size_t own = std::min(size, kChunk);
      report.bytes_scanned += own;
      for (std::size_t i = 0; i < own && i + 4 <= size; ++i) {
        index.match(window.bytes + i, size - i, [&](std::size_t piece) {
          report.sightings.push_back(
              {needles.pieces()[piece].name, at + i, mapping.line, mapping.dont_dump});
        });
      }
    }
  }
  return report;
}

std::string describe(const ScanReport& report) {
  std::string text =
      fmt::format("{} sighting(s) in {} mappings ({} MiB scanned)\n", report.sightings.size(),
                  report.mappings_scanned, report.bytes_scanned >> 20);
  std::size_t shown = 0;
  for (const SecretSighting& sighting : report.sightings) {
    if (++shown > 40) {
      text += "  ...\n";
      break;
    }
    text += fmt::format("  {} at {:#x}{} in {}\n", sighting.piece, sighting.address,
                        sighting.dont_dump ? " (MADV_DONTDUMP)" : "", sighting.mapping);
  }
  return text;
}

}  // namespace craton::hsm::testing
