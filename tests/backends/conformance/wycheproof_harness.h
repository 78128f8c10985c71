// SPDX-License-Identifier: Apache-2.0
// The Wycheproof harness: runs every case of a vector file on one backend, judges what the
// backend did against the case's result (valid / invalid / acceptable), and tallies it.
#pragma once

#include <craton/hsm/backend.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "backends/conformance/backends.h"

namespace craton::hsm::conformance::wycheproof {

// Vector files are read with nlohmann-json (Debian's nlohmann-json3-dev): parsing refuses
// malformed JSON and ill-formed UTF-8; at() throws on a missing member and get<std::string>()
// on another type, which the harness reports as a harness error or a malformed file. Integers
// are read with int_member, since get<int>() would truncate a fraction.
using Json = nlohmann::json;

// What a backend did with one case, before it is judged against the vector's result.
struct Observation {
  enum class Kind {
    Accepted,  // the operation succeeded and its output equals the vector's
    Rejected,  // a typed refusal: Invalid, or an HsmError the contract allows here
    Skipped,   // the backend cannot run this case, by a declared capability
    Broken,    // never acceptable: wrong output, a code the contract forbids, a harness error
  };
  Kind kind;
  std::string detail;

  static Observation accepted() { return {Kind::Accepted, ""}; }
  static Observation rejected(std::string why) { return {Kind::Rejected, std::move(why)}; }
  static Observation skipped(std::string reason) { return {Kind::Skipped, std::move(reason)}; }
  static Observation broken(std::string what) { return {Kind::Broken, std::move(what)}; }
};

// Runs one test case (`test`, inside `group`) on `backend`.
using CaseRunner = std::function<Observation(CryptoBackend& backend, const Capabilities& caps,
                                             const Json& group, const Json& test)>;

// The deliberate decision for one "acceptable" case (README: record it, then assert it).
struct AcceptableChoice {
  enum class Expect { Accept, Reject };
  int tc_id;
  Expect expect;
  std::string_view why;
};

// A valid case our API refuses on purpose, by a documented policy (e.g. RSA exponents below
// 65537). Listed cases must be refused; they are counted apart, never as passes.
struct PolicyRefusal {
  int tc_id;
  std::string_view why;
};

struct VectorFile {
  std::string_view file;        // name inside the vector directory
  std::string_view schema;      // the "schema" the runner was written for
  std::string_view group_type;  // every group's "type"
  CaseRunner run;
  std::vector<AcceptableChoice> acceptable;
  std::vector<PolicyRefusal> refused_by_policy;
};

struct FileTally {
  std::size_t number_of_tests = 0;  // as the file declares it
  std::size_t valid_ok = 0;
  std::size_t invalid_rejected = 0;
  std::size_t acceptable_accepted = 0;
  std::size_t acceptable_rejected = 0;
  std::size_t valid_refused_by_policy = 0;
  std::size_t failed_cases = 0;
  std::map<std::string, std::size_t> skipped;  // reason -> count
  std::vector<std::string> failures;           // one line per failed case, with its tcId

  [[nodiscard]] std::size_t skipped_total() const;
  [[nodiscard]] std::size_t judged_total() const;  // ran and judged, failed ones included
};

// The directory named by CRATON_WYCHEPROOF_DIR (see CMakeLists.txt).
[[nodiscard]] std::filesystem::path vector_dir();

// Reads, checks (schema, group types, tcIds, numberOfTests) and runs every case of `file`.
// Problems with the file itself are failures in the tally too: nothing is skipped silently.
[[nodiscard]] FileTally run_vector_file(const VectorFile& file, CryptoBackend& backend,
                                        const Capabilities& caps);

// "[wycheproof] software aes_gcm_test.json: 125 valid ok, 72 invalid rejected, 0 acceptable,
// 119 skipped (non-96-bit IV: 119)".
[[nodiscard]] std::string summary_line(std::string_view backend, std::string_view file,
                                       const FileTally& tally);

// Every vector file with its runner; the per-family lists live in wycheproof_*.cc.
[[nodiscard]] std::vector<VectorFile> all_vector_files();
[[nodiscard]] std::vector<VectorFile> signature_vector_files();
[[nodiscard]] std::vector<VectorFile> cipher_vector_files();
[[nodiscard]] std::vector<VectorFile> agreement_and_mac_vector_files();

void PrintTo(const VectorFile& file, std::ostream* out);

// ---- Helpers for runners.

// The bytes of a hex member of `object`.
[[nodiscard]] Bytes hex_member(const Json& object, std::string_view name);
// An integer member of `object`; std::invalid_argument for a fraction or another type.
[[nodiscard]] std::int64_t int_member(const Json& object, std::string_view name);
// "SHA-256" and friends; TypeError for anything else.
[[nodiscard]] HashAlg hash_named(std::string_view name);

// Judges a refusal: Internal is always Broken ("our own bugs"); otherwise Rejected when `code`
// is in `allowed` (any code when `allowed` is empty), else Broken naming the code.
[[nodiscard]] Observation refusal(const HsmError& error, std::string_view stage,
                                  std::initializer_list<ErrorCode> allowed = {});
// A verification: Valid is Accepted, Invalid is Rejected, an error is Broken (backend.h:
// verification answers Valid or Invalid).
[[nodiscard]] Observation verdict(const Result<VerifyOutcome>& outcome);
// A successful output must equal `expected` exactly; else Broken.
[[nodiscard]] Observation output_matches(ByteView actual, ByteView expected, std::string_view what);

}  // namespace craton::hsm::conformance::wycheproof
