// SPDX-License-Identifier: Apache-2.0
// Building the capability table from the token's mechanism descriptions.
#include "backends/pkcs11/capability_table.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "backends/pkcs11/keygen_spec.h"
#include "backends/pkcs11/mechanisms.h"
#include "pkcs11/session/mechanism_names.h"

namespace craton::hsm::pkcs11 {
namespace {

namespace cap_rows = capability_index;

constexpr CK_MECHANISM_TYPE kNoMechanism = CK_UNAVAILABLE_INFORMATION;

// A value added to one of the enums must get its rows.
static_assert(static_cast<std::size_t>(SignScheme::Ed25519) + 1 == cap_rows::kSignSchemes);
static_assert(static_cast<std::size_t>(HashAlg::Sha512) + 1 == cap_rows::kHashes);
static_assert(static_cast<std::size_t>(KeyAlgorithm::Hmac512) + 1 == cap_rows::kKeyAlgorithms);
static_assert(static_cast<std::size_t>(AesMode::Ctr) + 1 == cap_rows::kAesModes);
static_assert(static_cast<std::size_t>(KeyWrapScheme::AesKwp) + 1 == cap_rows::kWrapSchemes);

// A row's name and what it may use: the combined mechanism, the raw one behind the
// host-prehash route (kNoMechanism when there is no bit-identical equivalent), the flag its
// C_GetMechanismInfo must have, and the key size it must accept (0: not checked here).
struct RowSpec {
  std::string scheme;
  std::string_view operation;
  CK_MECHANISM_TYPE native = kNoMechanism;
  CK_MECHANISM_TYPE prehash = kNoMechanism;
  CK_FLAGS flag = 0;
  CK_ULONG key_size = 0;
  std::string_view key_unit;  // "bits" / "bytes", for messages
  bool per_key_size = false;  // RSA: checked per call against the key's modulus
  std::string_view refused;   // a reason that holds whatever the token lists
  // A mechanism of the token's that gives the same bits as `native` (by the vendor profile),
  // asked when `native` is unusable: CKM_AES_KEY_WRAP_PAD where it is RFC 5649.
  CK_MECHANISM_TYPE stand_in = kNoMechanism;
  bool stand_in_block_multiples_only = false;
  std::string note;  // appended to the reason when the row is unsupported
};

constexpr SignScheme kRowSchemes[] = {
    SignScheme::RsaPkcs1v15Sha256, SignScheme::RsaPkcs1v15Sha384, SignScheme::RsaPkcs1v15Sha512,
    SignScheme::RsaPssSha256,      SignScheme::RsaPssSha384,      SignScheme::RsaPssSha512,
    SignScheme::EcdsaP256Sha256,   SignScheme::EcdsaP384Sha384,   SignScheme::Ed25519};
constexpr HashAlg kRowHashes[] = {HashAlg::Sha224, HashAlg::Sha256, HashAlg::Sha384,
                                  HashAlg::Sha512};

CK_MECHANISM_TYPE ecdsa_with(HashAlg hash) {
  switch (hash) {
    case HashAlg::Sha224:
      return CKM_ECDSA_SHA224;
    case HashAlg::Sha256:
      return CKM_ECDSA_SHA256;
    case HashAlg::Sha384:
      return CKM_ECDSA_SHA384;
    case HashAlg::Sha512:
      return CKM_ECDSA_SHA512;
  }
  return kNoMechanism;
}

RowSpec sign_spec(SignScheme scheme, SignInput input, bool verify) {
  RowSpec spec;
  spec.scheme = std::string(scheme_name(scheme));
  const bool message = input == SignInput::Message;
  spec.operation =
      verify ? (message ? "verify" : "verify-digest") : (message ? "sign" : "sign-digest");
  spec.flag = verify ? CKF_VERIFY : CKF_SIGN;
  if (scheme == SignScheme::Ed25519) {
    spec.native = message ? CKM_EDDSA : kNoMechanism;
    if (!message) spec.refused = "Ed25519 signs messages only (pure EdDSA has no digest form)";
    return spec;
  }
  const HashAlg hash = scheme_hash(scheme);
  const HashMechanisms mechanisms = hash_mechanisms(hash);
  switch (scheme) {
    case SignScheme::RsaPkcs1v15Sha256:
    case SignScheme::RsaPkcs1v15Sha384:
    case SignScheme::RsaPkcs1v15Sha512:
      // A digest is signed as DigestInfo ‖ digest by CKM_RSA_PKCS (RFC 8017 §9.2).
      spec.native = message ? mechanisms.rsa_pkcs : CKM_RSA_PKCS;
      spec.prehash = message ? CKM_RSA_PKCS : kNoMechanism;
      spec.per_key_size = true;
      spec.key_unit = "bits";
      break;
    case SignScheme::RsaPssSha256:
    case SignScheme::RsaPssSha384:
    case SignScheme::RsaPssSha512:
      spec.native = message ? mechanisms.rsa_pss : CKM_RSA_PKCS_PSS;
      spec.prehash = message ? CKM_RSA_PKCS_PSS : kNoMechanism;
      spec.per_key_size = true;
      spec.key_unit = "bits";
      break;
    default:  // ECDSA: the curve fixes the key size
      spec.native = message ? ecdsa_with(hash) : CKM_ECDSA;
      spec.prehash = message ? CKM_ECDSA : kNoMechanism;
      spec.key_size = scheme == SignScheme::EcdsaP256Sha256 ? 256 : 384;
      spec.key_unit = "bits";
      break;
  }
  return spec;
}

RowSpec keygen_row_spec(KeyAlgorithm algorithm) {
  RowSpec spec;
  spec.scheme = std::string(key_algorithm_name(algorithm));
  spec.operation = "generate";
  const Result<KeygenSpec> keygen = keygen_spec(algorithm);
  if (!keygen) return spec;  // not reached: every value has a spec
  spec.native = keygen->mechanism;
  switch (keygen->family) {
    case KeyFamily::Aes:
      spec.flag = CKF_GENERATE;
      spec.key_size = keygen->size;  // bytes (PKCS#11 v2.40 §2.8 AES)
      spec.key_unit = "bytes";
      break;
    case KeyFamily::Hmac:
      // Generic secret sizes are bits on some tokens and bytes on others: not checked here.
      spec.flag = CKF_GENERATE;
      break;
    case KeyFamily::Rsa:
      spec.flag = CKF_GENERATE_KEY_PAIR;
      spec.key_size = keygen->size;  // modulus bits
      spec.key_unit = "bits";
      break;
    case KeyFamily::Ec:
      spec.flag = CKF_GENERATE_KEY_PAIR;
      spec.key_size = keygen->curve == EcCurve::P256 ? 256 : 384;
      spec.key_unit = "bits";
      break;
    case KeyFamily::Ed25519:
      spec.flag = CKF_GENERATE_KEY_PAIR;  // sizes reported as 255 or 256: not checked
      break;
  }
  return spec;
}

RowSpec row_spec(std::size_t row, const TokenFacts& facts) {
  if (row < cap_rows::kOaep) {
    const std::size_t offset = row - cap_rows::kSign;
    return sign_spec(kRowSchemes[offset / 4], static_cast<SignInput>((offset / 2) % 2),
                     offset % 2 == 1);
  }
  if (row < cap_rows::kAes) {
    const std::size_t offset = row - cap_rows::kOaep;
    const HashAlg hash = kRowHashes[offset / 2];
    RowSpec spec;
    spec.scheme = fmt::format("RSA-OAEP-{}", hash_name(hash));
    const bool decrypt = offset % 2 == 1;
    spec.operation = decrypt ? "decrypt" : "encrypt";
    spec.flag = decrypt ? CKF_DECRYPT : CKF_ENCRYPT;
    spec.native = CKM_RSA_PKCS_OAEP;
    spec.per_key_size = true;
    spec.key_unit = "bits";
    if (hash == HashAlg::Sha224) {
      spec.refused = "OAEP with SHA-224 is not offered by this library";
    } else if (facts.oaep_sha1_only) {
      // Never OAEP-SHA-1 in its place, and never OAEP in software.
      spec.refused =
          "the token performs CKM_RSA_PKCS_OAEP with SHA-1 only (SoftHSM2 answers "
          "CKR_ARGUMENTS_BAD for SHA-2), and OAEP-SHA-1 is never used in its place";
    }
    return spec;
  }
  if (row < cap_rows::kWrap) {
    const std::size_t offset = row - cap_rows::kAes;
    constexpr CK_MECHANISM_TYPE kModes[] = {CKM_AES_GCM, CKM_AES_CBC_PAD, CKM_AES_CTR};
    constexpr std::string_view kNames[] = {"AES-GCM", "AES-CBC", "AES-CTR"};
    const bool decrypt = offset % 2 == 1;
    RowSpec spec;
    spec.scheme = std::string(kNames[offset / 2]);
    spec.operation = decrypt ? "decrypt" : "encrypt";
    spec.flag = decrypt ? CKF_DECRYPT : CKF_ENCRYPT;
    spec.native = kModes[offset / 2];
    return spec;
  }
  if (row < cap_rows::kHmac) {
    const std::size_t offset = row - cap_rows::kWrap;
    const bool unwrap = offset % 2 == 1;
    const bool kwp = offset / 2 == 1;
    RowSpec spec;
    spec.scheme = kwp ? "AES-KWP" : "AES-KW";
    spec.operation = unwrap ? "unwrap" : "wrap";
    spec.flag = unwrap ? CKF_UNWRAP : CKF_WRAP;
    // RFC 5649 as CKM_AES_KEY_WRAP_KWP; CKM_AES_KEY_WRAP_PAD means other things on other
    // tokens (docs/vendors.md), so it stands in only where the vendor profile says it is
    // RFC 5649, and on SoftHSM2 only for inputs its encoding gets right (block multiples: it
    // zero-pads other lengths before wrapping, so their length field lies).
    spec.native = kwp ? kCkmAesKeyWrapKwp : CKM_AES_KEY_WRAP;
    if (!kwp) return spec;
    switch (facts.aes_key_wrap_pad) {
      case vendor::WrapPadMeaning::Rfc5649:
        spec.stand_in = CKM_AES_KEY_WRAP_PAD;
        break;
      case vendor::WrapPadMeaning::Rfc5649BlockMultiples:
        spec.stand_in = CKM_AES_KEY_WRAP_PAD;
        spec.stand_in_block_multiples_only = !unwrap;
        break;
      default:
        spec.note = fmt::format(
            " (CKM_AES_KEY_WRAP_PAD stands in only where the vendor profile says it is RFC 5649; "
            "here aes_key_wrap_pad = \"{}\")",
            vendor::wrap_pad_name(facts.aes_key_wrap_pad));
        break;
    }
    return spec;
  }
  if (row < cap_rows::kEcdh) {
    const HashAlg hash = kRowHashes[row - cap_rows::kHmac];
    RowSpec spec;
    spec.scheme = fmt::format("HMAC-{}", hash_name(hash));
    spec.operation = "mac";  // verified by computing the tag with C_Sign and comparing
    spec.flag = CKF_SIGN;
    spec.native = hash_mechanisms(hash).hmac;
    if (hash == HashAlg::Sha224) spec.refused = "HMAC-SHA-224 is not offered by this library";
    return spec;
  }
  if (row < cap_rows::kDigest) {
    RowSpec spec;
    spec.scheme = "ECDH";
    spec.operation = "derive";
    spec.flag = CKF_DERIVE;
    spec.native = CKM_ECDH1_DERIVE;
    return spec;
  }
  if (row < cap_rows::kKeygen) {
    const HashAlg hash = kRowHashes[row - cap_rows::kDigest];
    RowSpec spec;
    spec.scheme = std::string(hash_name(hash));
    spec.operation = "digest";
    spec.flag = CKF_DIGEST;
    spec.native = hash_mechanisms(hash).digest;
    return spec;
  }
  return keygen_row_spec(static_cast<KeyAlgorithm>(row - cap_rows::kKeygen));
}

const Pkcs11MechanismInfo* mechanism_info_of(std::span<const Pkcs11MechanismInfo> mechanisms,
                                             CK_MECHANISM_TYPE type) {
  const auto found = std::find_if(mechanisms.begin(), mechanisms.end(),
                                  [type](const Pkcs11MechanismInfo& m) { return m.type == type; });
  return found == mechanisms.end() ? nullptr : &*found;
}

bool range_stated(const Pkcs11MechanismInfo& info) {
  return info.max_key_size != 0 && info.min_key_size <= info.max_key_size;
}

// Empty when `type` is usable for the row; otherwise why not.
std::string unusable_because(std::span<const Pkcs11MechanismInfo> mechanisms,
                             CK_MECHANISM_TYPE type, const RowSpec& spec) {
  const Pkcs11MechanismInfo* info = mechanism_info_of(mechanisms, type);
  if (info == nullptr) return fmt::format("does not offer {}", describe_mechanism(type));
  if ((info->flags & spec.flag) == 0) {
    const std::vector<std::string_view> names = mechanism_flag_names(spec.flag);
    return fmt::format("offers {} without CKF_{}", describe_mechanism(type),
                       names.empty() ? std::string_view("?") : names.front());
  }
  if (spec.key_size != 0 && range_stated(*info) &&
      (spec.key_size < info->min_key_size || spec.key_size > info->max_key_size)) {
    return fmt::format("offers {} for keys of {}..{} {}, not {}", describe_mechanism(type),
                       info->min_key_size, info->max_key_size, spec.key_unit, spec.key_size);
  }
  return {};
}

Choice choice_of(std::span<const Pkcs11MechanismInfo> mechanisms, CapabilityHow how,
                 CK_MECHANISM_TYPE type, const RowSpec& spec) {
  Choice choice{.how = how, .mechanism = type, .per_key_size = spec.per_key_size};
  if (const Pkcs11MechanismInfo* info = mechanism_info_of(mechanisms, type);
      info && range_stated(*info)) {
    choice.min_key = info->min_key_size;
    choice.max_key = info->max_key_size;
  }
  return choice;
}

std::string token_words(const TokenFacts& facts) {
  return fmt::format("token '{}' ({})", facts.token_label, facts.token_manufacturer);
}

}  // namespace

CapabilityTable CapabilityTable::build(std::span<const Pkcs11MechanismInfo> mechanisms,
                                       TokenFacts facts) {
  CapabilityTable table;
  table.facts_ = std::move(facts);
  const std::string token = token_words(table.facts_);
  for (std::size_t row = 0; row < cap_rows::kCount; ++row) {
    const RowSpec spec = row_spec(row, table.facts_);
    const std::string prefix = fmt::format("{} {}: {}", spec.scheme, spec.operation, token);
    if (spec.native == kNoMechanism && spec.refused.empty()) continue;  // not reached
    std::string native_problem = spec.native == kNoMechanism
                                     ? std::string()
                                     : unusable_because(mechanisms, spec.native, spec);
    if (spec.native != kNoMechanism && native_problem.empty() && spec.refused.empty()) {
      table.choices_[row] = choice_of(mechanisms, CapabilityHow::Token, spec.native, spec);
      continue;
    }
    if (!spec.refused.empty()) {
      // Listed or not, the token cannot do it as the scheme says.
      table.reasons_[row] = native_problem.empty() || spec.native == kNoMechanism
                                ? fmt::format("{}: {}", prefix, spec.refused)
                                : fmt::format("{} {}", prefix, native_problem);
      continue;
    }
    if (spec.stand_in != kNoMechanism) {
      const std::string stand_in_problem = unusable_because(mechanisms, spec.stand_in, spec);
      if (stand_in_problem.empty()) {
        table.choices_[row] = choice_of(mechanisms, CapabilityHow::Token, spec.stand_in, spec);
        table.choices_[row].block_multiples_only = spec.stand_in_block_multiples_only;
        continue;
      }
      table.reasons_[row] = fmt::format("{} {} and {}", prefix, native_problem, stand_in_problem);
      continue;
    }
    if (spec.prehash != kNoMechanism) {
      const std::string prehash_problem = unusable_because(mechanisms, spec.prehash, spec);
      if (prehash_problem.empty()) {
        table.choices_[row] = choice_of(mechanisms, CapabilityHow::HostPrehash, spec.prehash, spec);
        continue;
      }
      table.reasons_[row] = fmt::format("{} {} and {}", prefix, native_problem, prehash_problem);
      continue;
    }
    table.reasons_[row] = fmt::format("{} {}{}", prefix, native_problem, spec.note);
  }
  return table;
}

Result<void> CapabilityTable::wrap_length_failure(std::size_t row, std::size_t size) const {
  const RowSpec spec = row_spec(row, facts_);
  return fail(ErrorCode::MechanismUnsupported,
              fmt::format("{} {} of {} bytes: {} does not offer CKM_AES_KEY_WRAP_KWP, and its "
                          "CKM_AES_KEY_WRAP_PAD is RFC 5649 only for inputs that are a multiple "
                          "of 8 bytes (vendor profile: aes_key_wrap_pad = \"{}\")",
                          spec.scheme, spec.operation, size, token_words(facts_),
                          vendor::wrap_pad_name(facts_.aes_key_wrap_pad)));
}

namespace {

// The rows whose operations use keys of `kind`.
std::vector<std::size_t> rows_using(KeyKind kind) {
  std::vector<std::size_t> rows;
  const auto sign = [&rows](std::initializer_list<SignScheme> schemes) {
    for (const SignScheme scheme : schemes) {
      for (const SignInput input : {SignInput::Message, SignInput::Digest}) {
        rows.push_back(sign_row(scheme, input, false));
        rows.push_back(sign_row(scheme, input, true));
      }
    }
  };
  const auto keygen = [&rows](std::initializer_list<KeyAlgorithm> algorithms) {
    for (const KeyAlgorithm algorithm : algorithms) rows.push_back(keygen_row(algorithm));
  };
  constexpr std::array kHashes{HashAlg::Sha224, HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512};
  switch (kind) {
    case KeyKind::Aes:
      for (const AesMode mode : {AesMode::Gcm, AesMode::Cbc, AesMode::Ctr}) {
        rows.push_back(aes_row(mode, false));
        rows.push_back(aes_row(mode, true));
      }
      for (const KeyWrapScheme scheme : {KeyWrapScheme::AesKw, KeyWrapScheme::AesKwp}) {
        rows.push_back(wrap_row(scheme, false));
        rows.push_back(wrap_row(scheme, true));
      }
      keygen({KeyAlgorithm::Aes128, KeyAlgorithm::Aes192, KeyAlgorithm::Aes256});
      break;
    case KeyKind::Hmac:
      for (const HashAlg hash : kHashes) rows.push_back(hmac_row(hash));
      keygen({KeyAlgorithm::Hmac256, KeyAlgorithm::Hmac512});
      break;
    case KeyKind::RsaPrivate:
    case KeyKind::RsaPublic:
      sign({SignScheme::RsaPkcs1v15Sha256, SignScheme::RsaPkcs1v15Sha384,
            SignScheme::RsaPkcs1v15Sha512, SignScheme::RsaPssSha256, SignScheme::RsaPssSha384,
            SignScheme::RsaPssSha512});
      for (const HashAlg hash : kHashes) {
        rows.push_back(oaep_row(hash, false));
        rows.push_back(oaep_row(hash, true));
      }
      keygen({KeyAlgorithm::Rsa2048, KeyAlgorithm::Rsa3072, KeyAlgorithm::Rsa4096});
      break;
    case KeyKind::EcPrivate:
    case KeyKind::EcPublic:
      sign({SignScheme::EcdsaP256Sha256, SignScheme::EcdsaP384Sha384});
      rows.push_back(ecdh_row());
      keygen({KeyAlgorithm::EcP256, KeyAlgorithm::EcP384});
      break;
    case KeyKind::Ed25519Private:
    case KeyKind::Ed25519Public:
      sign({SignScheme::Ed25519});
      keygen({KeyAlgorithm::Ed25519});
      break;
  }
  return rows;
}

}  // namespace

Result<void> CapabilityTable::require_key_kind(KeyKind kind) const {
  for (const std::size_t row : rows_using(kind)) {
    if (choices_[row].how != CapabilityHow::Unsupported) return {};
  }
  return fail(ErrorCode::MechanismUnsupported,
              fmt::format("{} offers no mechanism for {} keys, so it is not asked to store one",
                          token_words(facts_), key_kind_name(kind)));
}

Result<void> CapabilityTable::key_size_failure(std::size_t row, std::size_t size) const {
  const RowSpec spec = row_spec(row, facts_);
  const Choice& choice = choices_[row];
  return fail(ErrorCode::MechanismUnsupported,
              fmt::format("{} {}: {} offers {} for keys of {}..{} {}, not {}", spec.scheme,
                          spec.operation, token_words(facts_), describe_mechanism(choice.mechanism),
                          choice.min_key, choice.max_key, spec.key_unit, size));
}

std::vector<SchemeCapability> CapabilityTable::describe() const {
  std::vector<SchemeCapability> rows;
  rows.reserve(cap_rows::kCount);
  for (std::size_t row = 0; row < cap_rows::kCount; ++row) {
    const RowSpec spec = row_spec(row, facts_);
    const Choice& choice = choices_[row];
    SchemeCapability capability;
    capability.scheme = spec.scheme;
    capability.operation = std::string(spec.operation);
    capability.how = choice.how;
    capability.supported = choice.how != CapabilityHow::Unsupported;
    if (capability.supported) capability.mechanism = describe_mechanism(choice.mechanism);
    capability.reason = reasons_[row];
    rows.push_back(std::move(capability));
  }
  return rows;
}

}  // namespace craton::hsm::pkcs11

namespace craton::hsm {

std::string_view capability_how_name(CapabilityHow how) noexcept {
  switch (how) {
    case CapabilityHow::Token:
      return "token";
    case CapabilityHow::HostPrehash:
      return "host-prehash";
    case CapabilityHow::Unsupported:
      break;
  }
  return "unsupported";
}

}  // namespace craton::hsm
