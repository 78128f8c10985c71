// SPDX-License-Identifier: Apache-2.0
// Searches this process's whole memory (every readable mapping, through /proc/self/mem) for
// secrets a test knows: the PIN, key bytes. The secrets are held masked, so the scanner never
// finds its own copy of them, and a sighting names the secret and where it was, never its bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace craton::hsm {
struct RsaPrivateParts;
}  // namespace craton::hsm

namespace craton::hsm::testing {

// The secrets to look for. Each is split into pieces of up to kPieceSize bytes, so a partial
// copy (one half of a key in a buffer) is found as well; byte strings are also searched for in
// reverse, the order OpenSSL keeps a BIGNUM's bytes in on little-endian machines.
class SecretNeedles {
 public:
  static constexpr std::size_t kPieceSize = 16;

  void add_text(std::string_view name, std::string_view secret);
  // `reversed_too`: also look for the bytes back to front (EC scalars, RSA primes).
  void add_bytes(std::string_view name, std::span<const std::uint8_t> secret,
                 bool reversed_too = false);

  struct Piece {
    std::string name;                  // "PIN", "AES key[16..32)", ...
    std::vector<std::uint8_t> masked;  // the bytes XOR kMask
  };
  [[nodiscard]] const std::vector<Piece>& pieces() const noexcept { return pieces_; }

  static constexpr std::uint8_t kMask = 0xa5;

 private:
  void add_pieces(const std::string& name, std::span<const std::uint8_t> secret, bool reverse);

  std::vector<Piece> pieces_;
};

// An RSA key's private parts (d, p, q, dP, dQ, qInv), forwards and reversed, named "RSA d", ...
// The parts, not the PKCS#8 DER: the DER also holds the public modulus, which public copies of
// the key legitimately show.
void add_rsa_private_parts(SecretNeedles& needles, const RsaPrivateParts& rsa);

struct SecretSighting {
  std::string piece;  // SecretNeedles::Piece::name
  std::uintptr_t address = 0;
  std::string mapping;     // the /proc/self/maps line of the mapping that holds it
  bool dont_dump = false;  // the mapping is MADV_DONTDUMP: no core dump would show it
};

struct ScanReport {
  std::vector<SecretSighting> sightings;
  std::size_t bytes_scanned = 0;
  std::size_t mappings_scanned = 0;
};

// Reads every readable mapping of this process except [vvar]/[vsyscall] and reservations over
// 1 GiB (the sanitizers' shadow memory, which holds no program data), and reports every place a
// piece of a needle occurs. Single-threaded use: other threads may change memory while it reads.
[[nodiscard]] ScanReport scan_process_memory(const SecretNeedles& needles);

// One line per sighting, for a test's failure message.
[[nodiscard]] std::string describe(const ScanReport& report);

}  // namespace craton::hsm::testing
