// SPDX-License-Identifier: Apache-2.0
// Reads a Wycheproof vector file, checks its shape, runs and judges every case, tallies results.
#include "backends/conformance/wycheproof_harness.h"

#include <algorithm>
#include <exception>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backends/conformance/bytes.h"

#ifndef CRATON_WYCHEPROOF_DIR
#error "CRATON_WYCHEPROOF_DIR must name the Wycheproof vector directory (see CMakeLists.txt)"
#endif

namespace craton::hsm::conformance::wycheproof {
namespace {

using Expect = AcceptableChoice::Expect;

std::string flags_of(const Json& test) {
  std::string out;
  if (const auto flags = test.find("flags"); flags != test.end()) {
    for (const Json& flag : flags->get_ref<const Json::array_t&>()) {
      if (!out.empty()) out += ",";
      out += flag.get<std::string>();
    }
  }
  return out;
}

Observation run_guarded(const VectorFile& file, CryptoBackend& backend, const Capabilities& caps,
                        const Json& group, const Json& test) {
  try {
    return file.run(backend, caps, group, test);
  } catch (const std::exception& e) {
    return Observation::broken(std::string("harness error: ") + e.what());
  }
}

class Judge {
 public:
  Judge(const VectorFile& file, FileTally& tally) : file_(file), tally_(tally) {}

  void judge(int tc_id, const Json& test, const Observation& seen) {
    if (!ids_.insert(tc_id).second) {
      fail_case(tc_id, test, "duplicate tcId in the file");
      return;
    }
    const std::string result = test.at("result").get<std::string>();
    if (seen.kind == Observation::Kind::Broken) {
      fail_case(tc_id, test, seen.detail);
      return;
    }
    if (seen.kind == Observation::Kind::Skipped) {
      ++tally_.skipped[seen.detail];
      return;
    }
    const bool accepted = seen.kind == Observation::Kind::Accepted;
    const auto policy = std::ranges::find(file_.refused_by_policy, tc_id, &PolicyRefusal::tc_id);
    if (policy != file_.refused_by_policy.end()) {
      policy_seen_.insert(tc_id);
      if (result == "valid" && !accepted) {
        ++tally_.valid_refused_by_policy;
      } else {
        fail_case(tc_id, test,
                  fmt::format("listed as refused by policy ({}), but the case is {} and the "
                              "backend {} it",
                              policy->why, result, accepted ? "accepted" : "rejected"));
      }
      return;
    }
    if (result == "valid") {
      if (accepted) {
        ++tally_.valid_ok;
      } else {
        fail_case(tc_id, test, "valid case rejected: " + seen.detail);
      }
    } else if (result == "invalid") {
      if (!accepted) {
        ++tally_.invalid_rejected;
      } else {
        fail_case(tc_id, test, "invalid case accepted");
      }
    } else if (result == "acceptable") {
      judge_acceptable(tc_id, test, accepted, seen.detail);
    } else {
      fail_case(tc_id, test, "unknown result \"" + result + "\"");
    }
  }

  // Every recorded choice and policy entry must still name a case (no stale decisions).
  void check_choices_were_used() {
    for (const AcceptableChoice& choice : file_.acceptable) {
      if (!acceptable_seen_.contains(choice.tc_id)) {
        tally_.failures.push_back(fmt::format(
            "a choice is recorded for tcId {}, which is not an acceptable case", choice.tc_id));
      }
    }
    for (const PolicyRefusal& policy : file_.refused_by_policy) {
      if (!policy_seen_.contains(policy.tc_id)) {
        tally_.failures.push_back(fmt::format(
            "a policy refusal is recorded for tcId {}, which was not run", policy.tc_id));
      }
    }
  }

 private:
  void judge_acceptable(int tc_id, const Json& test, bool accepted, const std::string& detail) {
    acceptable_seen_.insert(tc_id);
    const auto choice = std::ranges::find(file_.acceptable, tc_id, &AcceptableChoice::tc_id);
    const char* did = accepted ? "accepted" : "rejected";
    if (choice == file_.acceptable.end()) {
      fail_case(
          tc_id, test,
          fmt::format("acceptable case with no recorded choice (backend {} it {})", did, detail));
      return;
    }
    const bool want_accept = choice->expect == Expect::Accept;
    if (want_accept && accepted) {
      ++tally_.acceptable_accepted;
    } else if (!want_accept && !accepted) {
      ++tally_.acceptable_rejected;
    } else {
      fail_case(tc_id, test,
                fmt::format("acceptable case: we chose to {} ({}), but the backend {} it {}",
                            want_accept ? "accept" : "reject", choice->why, did, detail));
    }
  }

  void fail_case(int tc_id, const Json& test, std::string_view what) {
    ++tally_.failed_cases;
    const std::string comment = test.value("comment", std::string());
    tally_.failures.push_back(
        fmt::format("tcId {} [{}] \"{}\": {}", tc_id, flags_of(test), comment, what));
  }

  const VectorFile& file_;
  FileTally& tally_;
  std::set<int> ids_;
  std::set<int> acceptable_seen_;
  std::set<int> policy_seen_;
};

}  // namespace

std::size_t FileTally::skipped_total() const {
  std::size_t total = 0;
  for (const auto& [reason, count] : skipped) total += count;
  return total;
}

std::size_t FileTally::judged_total() const {
  return valid_ok + invalid_rejected + acceptable_accepted + acceptable_rejected +
         valid_refused_by_policy + failed_cases;
}

std::filesystem::path vector_dir() {
  return std::filesystem::path(CRATON_WYCHEPROOF_DIR);
}

FileTally run_vector_file(const VectorFile& file, CryptoBackend& backend,
                          const Capabilities& caps) {
  FileTally tally;
  const std::filesystem::path path = vector_dir() / file.file;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    tally.failures.push_back("cannot open " + path.string());
    return tally;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Json document;
  try {
    document = Json::parse(text);
  } catch (const Json::parse_error& e) {
    tally.failures.push_back(fmt::format("not JSON: byte {}: {}", e.byte, e.what()));
    return tally;
  }
  Judge judge(file, tally);
  try {
    const std::string schema = document.at("schema").get<std::string>();
    if (schema != file.schema) {
      tally.failures.push_back(
          fmt::format("schema is \"{}\"; the runner was written for \"{}\"", schema, file.schema));
      return tally;
    }
    tally.number_of_tests = static_cast<std::size_t>(int_member(document, "numberOfTests"));
    for (const Json& group : document.at("testGroups").get_ref<const Json::array_t&>()) {
      const std::string type = group.at("type").get<std::string>();
      for (const Json& test : group.at("tests").get_ref<const Json::array_t&>()) {
        const int tc_id = static_cast<int>(int_member(test, "tcId"));
        const Observation seen =
            type == file.group_type
                ? run_guarded(file, backend, caps, group, test)
                : Observation::broken(
                      fmt::format("group type \"{}\", expected \"{}\"", type, file.group_type));
        judge.judge(tc_id, test, seen);
      }
    }
  } catch (const std::exception& e) {
    tally.failures.push_back(std::string("malformed vector file: ") + e.what());
  }
  judge.check_choices_were_used();
  return tally;
}

std::string summary_line(std::string_view backend, std::string_view file, const FileTally& tally) {
  const std::size_t acceptable = tally.acceptable_accepted + tally.acceptable_rejected;
  std::string line =
      fmt::format("[wycheproof] {} {}: {} valid ok, {} invalid rejected, {} acceptable", backend,
                  file, tally.valid_ok, tally.invalid_rejected, acceptable);
  if (acceptable != 0) {
    line += fmt::format(" ({} accepted, {} rejected, as chosen)", tally.acceptable_accepted,
                        tally.acceptable_rejected);
  }
  if (tally.valid_refused_by_policy != 0) {
    line += fmt::format(", {} valid refused by policy", tally.valid_refused_by_policy);
  }
  line += fmt::format(", {} skipped", tally.skipped_total());
  if (!tally.skipped.empty()) {
    std::string reasons;
    for (const auto& [reason, count] : tally.skipped) {
      reasons += fmt::format("{}{}: {}", reasons.empty() ? "" : "; ", reason, count);
    }
    line += " (" + reasons + ")";
  }
  if (tally.failed_cases != 0) line += fmt::format(", {} FAILED", tally.failed_cases);
  return line;
}

std::vector<VectorFile> all_vector_files() {
  std::vector<VectorFile> files;
  for (auto family :
       {signature_vector_files, cipher_vector_files, agreement_and_mac_vector_files}) {
    for (VectorFile& file : family()) files.push_back(std::move(file));
  }
  return files;
}

void PrintTo(const VectorFile& file, std::ostream* out) {
  *out << file.file;
}

Bytes hex_member(const Json& object, std::string_view name) {
  const std::string hex = object.at(name).get<std::string>();
  try {
    return from_hex(hex);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("member \"{}\": {}", name, e.what()));
  }
}

std::int64_t int_member(const Json& object, std::string_view name) {
  const Json& value = object.at(name);
  if (!value.is_number_integer()) {
    throw std::invalid_argument(
        fmt::format("member \"{}\": {} is not an integer", name, value.dump()));
  }
  return value.get<std::int64_t>();
}

HashAlg hash_named(std::string_view name) {
  if (name == "SHA-224") return HashAlg::Sha224;
  if (name == "SHA-256") return HashAlg::Sha256;
  if (name == "SHA-384") return HashAlg::Sha384;
  if (name == "SHA-512") return HashAlg::Sha512;
  throw std::invalid_argument(fmt::format("unknown hash \"{}\"", name));
}

Observation refusal(const HsmError& error, std::string_view stage,
                    std::initializer_list<ErrorCode> allowed) {
  const std::string what = fmt::format("{}: {}", stage, error.to_string());
  if (error.code() == ErrorCode::Internal) {
    return Observation::broken(what + " (Internal is reserved for our own bugs)");
  }
  if (allowed.size() == 0 || std::ranges::find(allowed, error.code()) != allowed.end()) {
    return Observation::rejected(what);
  }
  std::string names;
  for (const ErrorCode code : allowed) {
    names += fmt::format("{}{}", names.empty() ? "" : " or ", error_code_name(code));
  }
  return Observation::broken(fmt::format("{}; the contract allows only {} here", what, names));
}

Observation verdict(const Result<VerifyOutcome>& outcome) {
  if (!outcome) {
    return Observation::broken("verify failed instead of answering Valid or Invalid: " +
                               outcome.error().to_string());
  }
  return *outcome == VerifyOutcome::Valid ? Observation::accepted()
                                          : Observation::rejected("verify answered Invalid");
}

Observation output_matches(ByteView actual, ByteView expected, std::string_view what) {
  if (std::ranges::equal(actual, expected)) return Observation::accepted();
  return Observation::broken(
      fmt::format("{} is {}, the vector says {}", what, to_hex(actual), to_hex(expected)));
}

}  // namespace craton::hsm::conformance::wycheproof
