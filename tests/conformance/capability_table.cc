// SPDX-License-Identifier: Apache-2.0
// The capability tables each token is expected to have, and the check against them.
#include "conformance/capability_table.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <string>
#include <string_view>

namespace craton::hsm::testing {
namespace {

// "operation scheme" -> "how (mechanism)", the way the table reads a row.
using Table = std::map<std::string, std::string>;

std::string row_name(const SchemeCapability& row) {
  return fmt::format("{} {}", row.operation, row.scheme);
}

std::string row_value(const SchemeCapability& row) {
  if (row.how == CapabilityHow::Unsupported) return "unsupported";
  return fmt::format("{} ({})", capability_how_name(row.how), row.mechanism);
}

Table detected(const TokenCapabilities& capabilities) {
  Table table;
  for (const SchemeCapability& row : capabilities.schemes) {
    EXPECT_TRUE(table.emplace(row_name(row), row_value(row)).second)
        << "two rows named " << row_name(row);
    // An unsupported row says why, naming the token; a supported one names its mechanism.
    EXPECT_EQ(row.reason.empty(), row.supported) << row_name(row);
    EXPECT_NE(row.supported, row.mechanism.empty()) << row_name(row);
  }
  return table;
}

constexpr std::string_view kUnsupported = "unsupported";

// The rows of a token that are not done by the token's own mechanism for the row, or whose
// mechanism is the vendor's choice (AES-KWP), as measured on Debian 12's packages
// (docs/compatibility.md, docs/vendors/). Every other row must be "token (...)".
Table expected_exceptions(Vendor vendor) {
  // Not offered by the API on any token (backend.h).
  Table rows{{"decrypt RSA-OAEP-SHA-224", "unsupported"},
             {"encrypt RSA-OAEP-SHA-224", "unsupported"},
             {"mac HMAC-SHA-224", "unsupported"},
             {"sign-digest Ed25519", "unsupported"},
             {"verify-digest Ed25519", "unsupported"}};
  const auto set = [&rows](std::initializer_list<std::string_view> names, std::string_view how) {
    for (const std::string_view name : names) rows.insert_or_assign(std::string(name), how);
  };
  switch (vendor) {
    case Vendor::SoftHsm2:
    case Vendor::SoftHsm2Unwrap:
      // OAEP with SHA-1 only; no CKM_ECDSA_SHA*; 0x210A is RFC 5649 (the softhsm2 profile).
      set({"decrypt RSA-OAEP-SHA-256", "decrypt RSA-OAEP-SHA-384", "decrypt RSA-OAEP-SHA-512",
           "encrypt RSA-OAEP-SHA-256", "encrypt RSA-OAEP-SHA-384", "encrypt RSA-OAEP-SHA-512"},
          kUnsupported);
      set({"sign ECDSA-P256-SHA256", "sign ECDSA-P384-SHA384", "verify ECDSA-P256-SHA256",
           "verify ECDSA-P384-SHA384"},
          "host-prehash (CKM_ECDSA)");
      set({"wrap AES-KWP", "unwrap AES-KWP"}, "token (CKM_AES_KEY_WRAP_PAD)");
      break;
    case Vendor::NssSoftokn:
      // Slot 2 lists no digest mechanism and NSS 3.87 has no Ed25519; real RFC 5649 as 0x210B.
      set({"digest SHA-224", "digest SHA-256", "digest SHA-384", "digest SHA-512",
           "generate Ed25519", "sign Ed25519", "verify Ed25519"},
          kUnsupported);
      set({"wrap AES-KWP", "unwrap AES-KWP"}, "token (CKM_AES_KEY_WRAP_KWP)");
      break;
    case Vendor::OpenCryptoki:
      // Debian's swtok: no EC, no GCM or CTR, no key wrap, no SHA-224, no CKM_SHA*_RSA_PKCS.
      set({"decrypt AES-CTR",
           "encrypt AES-CTR",
           "decrypt AES-GCM",
           "encrypt AES-GCM",
           "derive ECDH",
           "digest SHA-224",
           "generate EC-P256",
           "generate EC-P384",
           "generate Ed25519",
           "sign ECDSA-P256-SHA256",
           "sign ECDSA-P384-SHA384",
           "sign-digest ECDSA-P256-SHA256",
           "sign-digest ECDSA-P384-SHA384",
           "verify ECDSA-P256-SHA256",
           "verify ECDSA-P384-SHA384",
           "verify-digest ECDSA-P256-SHA256",
           "verify-digest ECDSA-P384-SHA384",
           "sign Ed25519",
           "verify Ed25519",
           "wrap AES-KW",
           "unwrap AES-KW",
           "wrap AES-KWP",
           "unwrap AES-KWP"},
          kUnsupported);
      set({"sign RSA-PKCS1v15-SHA256", "sign RSA-PKCS1v15-SHA384", "sign RSA-PKCS1v15-SHA512",
           "verify RSA-PKCS1v15-SHA256", "verify RSA-PKCS1v15-SHA384",
           "verify RSA-PKCS1v15-SHA512"},
          "host-prehash (CKM_RSA_PKCS)");
      break;
  }
  return rows;
}

}  // namespace

void expect_capability_table(Vendor vendor, const TokenCapabilities& capabilities) {
  const Table found = detected(capabilities);
  const Table exceptions = expected_exceptions(vendor);
  for (const auto& [row, how] : found) {
    // For docs/compatibility.md (scripts/compatibility-matrix.py reads these lines).
    std::cout << fmt::format("[capabilities] {} | {} | {}\n", vendor_name(vendor), row, how);
    SCOPED_TRACE(fmt::format("{}: {} is {}", vendor_name(vendor), row, how));
    const auto exception = exceptions.find(row);
    if (exception != exceptions.end()) {
      EXPECT_EQ(how, exception->second);
    } else {
      EXPECT_TRUE(how.starts_with("token ("));
    }
  }
  for (const auto& [row, how] : exceptions) {
    EXPECT_TRUE(found.contains(row)) << "expected row missing: " << row;
  }
}

}  // namespace craton::hsm::testing
