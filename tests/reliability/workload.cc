// SPDX-License-Identifier: Apache-2.0
// The reliability workload's operations and the ledger that checks their results.
#include "reliability/workload.h"

#include <craton/hsm/software_backend.h>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/rand.h>

#include <algorithm>
#include <random>

namespace craton::hsm::testing {
namespace {

constexpr std::size_t kMaxProblems = 8;
// The sealed messages and signatures kept for the checks after recovery (the soak makes more
// than a test needs to keep).
constexpr std::size_t kMaxKept = 10'000;

CryptoBackend& software() {
  static const std::unique_ptr<CryptoBackend> backend = make_software_backend();
  return *backend;
}

std::vector<std::uint8_t> random_bytes(std::mt19937_64& random, std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  for (std::uint8_t& byte : bytes) byte = static_cast<std::uint8_t>(random());
  return bytes;
}

// A resident key spec with a random id (ids and labels must be unique on the token).
ResidentKeySpec resident_spec(KeyAlgorithm algorithm, const std::string& label) {
  ResidentKeySpec spec;
  spec.algorithm = algorithm;
  spec.label = label;
  spec.id.resize(8);
  EXPECT_EQ(RAND_bytes(spec.id.data(), static_cast<int>(spec.id.size())), 1);
  return spec;
}

const std::vector<std::uint8_t> kAad = {'s', 'c', 'e', 'n', 'a', 'r', 'i', 'o'};

}  // namespace

std::unique_ptr<WorkloadKeys> make_workload_keys(Pkcs11Backend& backend,
                                                 const std::string& prefix) {
  auto ec = software().generate_key(KeyAlgorithm::EcP256);
  auto aes = software().generate_key(KeyAlgorithm::Aes256);
  auto hmac = software().generate_key(KeyAlgorithm::Hmac256);
  EXPECT_TRUE(ec && aes && hmac);
  if (!ec || !aes || !hmac) return nullptr;
  auto resident_ec =
      backend.generate_resident_key(resident_spec(KeyAlgorithm::EcP256, prefix + "-ec"));
  EXPECT_TRUE(resident_ec) << resident_ec.error();
  auto resident_aes =
      backend.generate_resident_key(resident_spec(KeyAlgorithm::Aes256, prefix + "-aes"));
  EXPECT_TRUE(resident_aes) << resident_aes.error();
  if (!resident_ec || !resident_aes) return nullptr;
  auto ec_public = ec->public_key();
  auto resident_ec_public = resident_ec->public_key();
  EXPECT_TRUE(ec_public && resident_ec_public);
  if (!ec_public || !resident_ec_public) return nullptr;
  return std::make_unique<WorkloadKeys>(
      WorkloadKeys{.ec = *ec,
                   .aes = *aes,
                   .hmac = *hmac,
                   .resident_ec = *resident_ec,
                   .resident_aes = *resident_aes,
                   .ec_public = *ec_public,
                   .resident_ec_public = *resident_ec_public,
                   .resident_labels = {prefix + "-ec", prefix + "-aes"}});
}

bool destroy_resident_keys(Pkcs11Backend& backend, const WorkloadKeys& keys) {
  bool all = true;
  for (const std::string& label : keys.resident_labels) {
    KeyRef ref;
    ref.label = label;
    const auto destroyed = backend.destroy_key(ref);
    EXPECT_TRUE(destroyed) << label << ": " << destroyed.error();
    all = all && destroyed.has_value();
  }
  return all;
}

std::set<ErrorCode> outage_errors() {
  return {ErrorCode::SessionInvalid,   ErrorCode::OperationActive,
          ErrorCode::NotLoggedIn,      ErrorCode::KeyHandleInvalid,
          ErrorCode::DeviceError,      ErrorCode::DeviceRemoved,
          ErrorCode::TokenNotPresent,  ErrorCode::CryptokiNotInitialized,
          ErrorCode::PoolTimeout,      ErrorCode::SessionCount,
          ErrorCode::DeviceMemory,     ErrorCode::HostMemory,
          ErrorCode::DeviceUnavailable};
}

std::uint64_t gcm_messages_counted(const Pkcs11Backend& backend) {
  const BackendStats stats = backend.stats();
  double total = 0;
  for (const auto& [key, used] : stats.gcm_budget_used) {
    total += used * static_cast<double>(stats.gcm_max_messages_per_key);
  }
  return static_cast<std::uint64_t>(std::llround(total));
}

void Ledger::failed(const HsmError& error, std::string_view what) {
  const std::lock_guard lock(mutex_);
  ++figures_.operations;
  ++figures_.failed_by_code[std::string(error_code_name(error.code()))];
  if (!allowed_.contains(error.code())) {
    ++figures_.unexpected_errors;
    if (figures_.problems.size() < kMaxProblems) {
      figures_.problems.push_back(fmt::format("{}: unexpected {}", what, error));
    }
  }
}

void Ledger::wrong(std::string problem) {
  const std::lock_guard lock(mutex_);
  ++figures_.wrong_results;
  if (figures_.problems.size() < kMaxProblems) figures_.problems.push_back(std::move(problem));
}

void Ledger::run_one(Pkcs11Backend& backend, const WorkloadKeys& keys, OpKind kind,
                     std::uint64_t seed) {
  std::mt19937_64 random(seed);
  const std::vector<std::uint8_t> message = random_bytes(random, 16 + random() % 100);
  switch (kind) {
    case OpKind::SignMaterial:
    case OpKind::SignResident: {
      const bool resident = kind == OpKind::SignResident;
      auto signature =
          backend.sign(resident ? keys.resident_ec : keys.ec, SignScheme::EcdsaP256Sha256, message);
      if (!signature) return failed(signature.error(), resident ? "resident sign" : "sign");
      const std::lock_guard lock(mutex_);
      ++figures_.operations;
      ++figures_.succeeded;
      if (signed_.size() < kMaxKept) signed_.push_back({resident, message, std::move(*signature)});
      return;
    }
    case OpKind::GcmMaterial:
    case OpKind::GcmResident: {
      const bool resident = kind == OpKind::GcmResident;
      const Key& key = resident ? keys.resident_aes : keys.aes;
      auto sealed = backend.aes_gcm_encrypt(key, message, kAad);
      if (!sealed) return failed(sealed.error(), resident ? "resident seal" : "seal");
      bool repeated = false;
      {
        const std::lock_guard lock(mutex_);
        ++figures_.operations;
        ++figures_.succeeded;
        ++figures_.gcm_sealed;
        ++figures_.ivs;
        std::array<std::uint8_t, kGcmIvSize> iv{};
        std::copy_n(sealed->begin(), kGcmIvSize, iv.begin());
        repeated = !ivs_.insert(iv).second;
        if (repeated) ++figures_.iv_repeats;
      }
      if (repeated) wrong("a GCM IV was used twice");
      if (sealed->size() != message.size() + kGcmIvSize + kGcmTagSize) {
        return wrong("sealed message of the wrong length");
      }
      auto opened = backend.aes_gcm_decrypt(key, *sealed, kAad);
      if (!opened) return failed(opened.error(), resident ? "resident open" : "open");
      const bool right = std::ranges::equal(opened->expose(), message);
      {
        const std::lock_guard lock(mutex_);
        ++figures_.operations;
        ++figures_.succeeded;
        ++figures_.decryptions_checked;
        if (right && sealed_.size() < kMaxKept) {
          sealed_.push_back({resident, message, std::move(*sealed)});
        }
      }
      if (!right) wrong("a decryption returned other bytes than were sealed");
      return;
    }
    case OpKind::Hmac: {
      auto tag = backend.hmac(keys.hmac, HashAlg::Sha256, message);
      if (!tag) return failed(tag.error(), "hmac");
      const auto expected = software().hmac(keys.hmac, HashAlg::Sha256, message);
      {
        const std::lock_guard lock(mutex_);
        ++figures_.operations;
        ++figures_.succeeded;
      }
      if (!expected || *expected != *tag) wrong("an HMAC differs from the software backend's");
      return;
    }
    case OpKind::Random: {
      auto bytes = backend.random(32);
      if (!bytes) return failed(bytes.error(), "random");
      {
        const std::lock_guard lock(mutex_);
        ++figures_.operations;
        ++figures_.succeeded;
      }
      if (bytes->size() != 32) wrong("random() returned the wrong number of bytes");
      return;
    }
  }
}

void Ledger::check_everything(Pkcs11Backend& backend, const WorkloadKeys& keys) {
  std::vector<Signed> signatures;
  std::vector<Sealed> sealed;
  {
    const std::lock_guard lock(mutex_);
    signatures = signed_;
    sealed = sealed_;
  }
  for (const Signed& record : signatures) {
    const auto outcome =
        software().verify(record.resident ? keys.resident_ec_public : keys.ec_public,
                          SignScheme::EcdsaP256Sha256, record.message, record.signature);
    if (!outcome || *outcome != VerifyOutcome::Valid) wrong("a signature does not verify");
  }
  for (const Sealed& record : sealed) {
    const auto opened = backend.aes_gcm_decrypt(record.resident ? keys.resident_aes : keys.aes,
                                                record.sealed, kAad);
    if (!opened) {
      wrong(fmt::format("a sealed message no longer opens: {}", opened.error()));
    } else if (!std::ranges::equal(opened->expose(), record.plaintext)) {
      wrong("a sealed message opens to other bytes");
    }
  }
  const std::lock_guard lock(mutex_);
  figures_.signatures_checked += signatures.size();
  figures_.reopened += sealed.size();
}

Ledger::Figures Ledger::figures() const {
  const std::lock_guard lock(mutex_);
  return figures_;
}

}  // namespace craton::hsm::testing
