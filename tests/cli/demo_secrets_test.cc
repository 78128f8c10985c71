// SPDX-License-Identifier: Apache-2.0
// After `craton-hsm demo`'s steps have run in this process (its configuration path, PIN file,
// audit trail, keys and steps), no byte of the PIN, the demo's keys or the audit chain key is
// left anywhere in the process's memory; while the backend lives, the PIN is only in pages a
// core dump leaves out. Method and reasons: docs/sanitizers.md ("Secrets in memory").
#include <craton/hsm/pkcs11_backend.h>
#include <craton/hsm/software_backend.h>

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/demo_audit.h"
#include "cli/demo_steps.h"
#include "cli/options.h"
#include "keys/key_material.h"
#include "support/secret_scan.h"
#include "support/secret_token.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

constexpr const char* kScanTokenLabel = "secrets-token";

void write_pin_file(const std::filesystem::path& file, const SecretString& pin) {
  const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  const std::string_view text = pin.expose();
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
}

void add_key_file(SecretNeedles& needles, const std::filesystem::path& file) {
  SecretBytes buffer = SecretBytes::zeroed(256);
  const int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const ssize_t got = read(fd, buffer.expose_mut().data(), buffer.size());
  close(fd);
  ASSERT_GE(got, 16);
  needles.add_bytes("audit chain key", buffer.expose().first(static_cast<std::size_t>(got)));
}

void add_demo_keys(SecretNeedles& needles, const cli::DemoKeys& keys) {
  needles.add_bytes("AES key", keys.aes.material().secret.expose());
  needles.add_bytes("HMAC key", keys.hmac.material().secret.expose());
  needles.add_bytes("P-256 scalar", keys.ec_p256.material().secret.expose(), true);
  needles.add_bytes("P-384 scalar", keys.ec_p384.material().secret.expose(), true);
  needles.add_bytes("ECDH peer scalar", keys.ec_peer.material().secret.expose(), true);
  needles.add_bytes("Ed25519 seed", keys.ed25519.material().secret.expose(), true);
  add_rsa_private_parts(needles, *keys.rsa.material().rsa_private);
}

std::vector<SecretSighting> outside_dont_dump(const ScanReport& report) {
  std::vector<SecretSighting> found;
  for (const SecretSighting& sighting : report.sightings) {
    if (!sighting.dont_dump) found.push_back(sighting);
  }
  return found;
}

// The scanner itself: it must see what is there, or its silence proves nothing.
TEST(SecretScan, FindsPlantedSecretsTheirPiecesAndReversedBytes) {
  KeySecretBytes secret = KeySecretBytes::zeroed(40);  // in MADV_DONTDUMP pages
  ASSERT_EQ(RAND_bytes(secret.expose_mut().data(), 40), 1);
  SecretNeedles needles;
  needles.add_bytes("planted", secret.expose(), true);
  EXPECT_EQ(needles.pieces().size(), 6u);  // [0,16) [16,32) [24,40), forwards and reversed
  // An ordinary heap copy of the middle piece, and a reversed copy of the first one.
  std::vector<std::uint8_t> heap(secret.expose().begin() + 16, secret.expose().begin() + 32);
  std::vector<std::uint8_t> reversed(secret.expose().rbegin(), secret.expose().rend());

  const ScanReport report = scan_process_memory(needles);
  std::size_t in_heap = 0;
  std::size_t in_reversed = 0;
  std::size_t in_dont_dump = 0;
  const auto address_of = [](const std::vector<std::uint8_t>& bytes) {
    return reinterpret_cast<std::uintptr_t>(bytes.data());
  };
  for (const SecretSighting& sighting : report.sightings) {
    if (sighting.address == address_of(heap)) ++in_heap;
    if (sighting.address >= address_of(reversed) &&
        sighting.address < address_of(reversed) + reversed.size()) {
      ++in_reversed;
    }
    if (sighting.dont_dump) ++in_dont_dump;
  }
  EXPECT_EQ(in_heap, 1u) << describe(report);
  EXPECT_EQ(in_reversed, 3u) << describe(report);
  EXPECT_EQ(in_dont_dump, 3u) << "the KeySecretBytes itself, flagged: " << describe(report);
  EXPECT_GT(report.bytes_scanned, std::size_t{1} << 20);

  OPENSSL_cleanse(heap.data(), heap.size());
  OPENSSL_cleanse(reversed.data(), reversed.size());
}

TEST(DemoSecrets, NoPinNorKeyIsLeftInMemoryAfterTheDemo) {
  SecretNeedles needles;
  const TempDir dir;
  const std::filesystem::path pin_file = dir.path() / "pin";
  {
    const SecretString pin = random_pin();
    needles.add_text("PIN", pin.expose());
    init_token_with_pin(kScanTokenLabel, pin);
    write_pin_file(pin_file, pin);
  }
  {
    cli::GlobalOptions global;
    global.module = std::filesystem::path(kModulePath);
    global.token_label = kScanTokenLabel;
    global.pin_file = pin_file;
    global.command = "demo";
    Result<cli::CliConfig> config = cli::build_config(global);
    ASSERT_TRUE(config.has_value()) << config.error();
    Result<cli::DemoAuditTrail> trail = cli::DemoAuditTrail::create(std::nullopt);
    ASSERT_TRUE(trail.has_value()) << trail.error();
    config->config.audit = trail->config();
    add_key_file(needles, *trail->config().key_file);
    {
      auto token = make_pkcs11_backend(std::move(config->config));
      ASSERT_TRUE(token.has_value()) << token.error();
      const std::unique_ptr<CryptoBackend> software = make_software_backend();
      Result<cli::DemoKeys> keys = cli::make_demo_keys(*software);
      ASSERT_TRUE(keys.has_value()) << keys.error();
      add_demo_keys(needles, *keys);
      {
        const std::vector<cli::DemoStep> steps = cli::demo_steps(*keys);
        for (const cli::DemoStep& step : steps) {
          const Result<void> outcome = step.run(**token, *software);
          EXPECT_TRUE(outcome || outcome.error().code() == ErrorCode::MechanismUnsupported)
              << step.operation << " " << step.mechanism << ": " << outcome.error();
        }
      }
      // The core-dump view while the backend lives (logged in, keys loaded): the PIN is kept
      // for re-login, but only in pages a core dump leaves out.
      const ScanReport during = scan_process_memory(needles);
      std::vector<SecretSighting> pin_outside;
      for (const SecretSighting& sighting : outside_dont_dump(during)) {
        if (sighting.piece.starts_with("PIN")) pin_outside.push_back(sighting);
      }
      EXPECT_TRUE(pin_outside.empty())
          << "the PIN in dumpable memory while the backend lives: "
          << describe(ScanReport{pin_outside, during.bytes_scanned, during.mappings_scanned});
    }
    const Result<std::uint64_t> records =
        cli::verify_trail_file(trail->file(), *trail->config().key_file);
    ASSERT_TRUE(records.has_value()) << records.error();
    EXPECT_GT(*records, 20u);
  }
  // Everything is gone (backend, module, keys, trail): nothing of any secret may remain.
  const ScanReport after = scan_process_memory(needles);
  EXPECT_GT(after.bytes_scanned, std::size_t{1} << 20);
#if defined(__SANITIZE_ADDRESS__)
  // ASan's allocator leaves freed blocks untouched (its quarantine, then size-class regions
  // glibc would have handed out again), so here the scan also sees what OpenSSL and SoftHSM2
  // free unwiped inside their own calls (PKCS#8 encoders, BIGNUMs): reported, judged in the
  // unsanitised builds (docs/sanitizers.md, "Findings").
  std::cout << "under ASan (freed blocks included): " << after.sightings.size()
            << " sighting(s); ASan's describe_address on each says who freed it\n";
#else
  EXPECT_TRUE(after.sightings.empty()) << describe(after);
#endif
}

}  // namespace
}  // namespace craton::hsm::testing
