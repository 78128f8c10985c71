// SPDX-License-Identifier: Apache-2.0
// `craton-hsm random` and `digest`: the token's RNG and hash functions.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "cli/io.h"
#include "cli/message_stream.h"
#include "cli/operator_commands.h"
#include "cli/scheme_names.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kRandomFooter = R"(
N bytes (1..65536) from the token's random number generator (C_GenerateRandom). Files are
created with mode 0600, since random bytes usually become keys.

Example:
  craton-hsm random --bytes 32 --out data.key
  craton-hsm random --bytes 16 --hex)";

constexpr const char* kDigestFooter = R"(
Hashes --in FILE (or standard input) on the token in 64 KiB pieces, so inputs of any size
work in bounded memory (like sha256sum, an endless input such as /dev/zero runs until it is
interrupted). Prints lowercase hex by default; --out FILE writes the raw digest.

Example:
  craton-hsm digest --alg sha256 --in release.tar.gz)";

struct RandomOptions {
  // Signed: CLI11 reads "-1" into an unsigned type as 2^64 - 1.
  std::int64_t bytes = 0;
  OutputOptions output;
};

struct DigestOptions {
  std::string alg;
  std::optional<std::string> in;
  OutputOptions output;
};

constexpr std::int64_t kMaxRandomBytes = 65536;

Result<void> run_random(const GlobalOptions& global, const RandomOptions& options) {
  if (options.bytes < 1 || options.bytes > kMaxRandomBytes) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("--bytes must be from 1 to {}", kMaxRandomBytes));
  }
  CRATON_RETURN_IF_ERROR(check_output(options.output));
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  CRATON_ASSIGN_OR_RETURN(const Bytes bytes,
                          token->random(static_cast<std::size_t>(options.bytes)));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  return emit_bytes(bytes, options.output, Sensitivity::Secret, stdout_is_terminal(), "random");
}

Result<void> run_digest(const GlobalOptions& global, const DigestOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const HashAlg hash, parse_hash(options.alg));
  CRATON_RETURN_IF_ERROR(check_output(options.output));
  CRATON_ASSIGN_OR_RETURN(Input input, Input::open(options.in));
  InputHead message{std::move(input), {}, false};
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  CRATON_ASSIGN_OR_RETURN(const Bytes digest, digest_on_token(*token, hash, message));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  OutputOptions output = options.output;
  // A digest is short and usually read by people or compared in scripts: text by default.
  if (!output.out && !output.base64 && !output.json) output.hex = true;
  return emit_bytes(digest, output, Sensitivity::Public, stdout_is_terminal(), "digest",
                    {{"alg", std::string(hash_name(hash))}});
}

}  // namespace

void add_random_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<RandomOptions>();
  CLI::App* command = app.add_subcommand("random", "random bytes from the token");
  command->add_option("--bytes", options->bytes, "how many bytes (1..65536)")
      ->required()
      ->type_name("N");
  add_output_options(*command, options->output);
  command->footer(kRandomFooter);
  install_action(*command, global, action, options, run_random);
}

void add_digest_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<DigestOptions>();
  CLI::App* command = app.add_subcommand("digest", "hash a file on the token");
  command->add_option("--alg", options->alg, "sha256, sha384 or sha512")
      ->required()
      ->type_name("ALG");
  command->add_option("--in", options->in, "the input (default: standard input)")
      ->type_name("FILE");
  add_output_options(*command, options->output);
  command->footer(kDigestFooter);
  install_action(*command, global, action, options, run_digest);
}

}  // namespace craton::hsm::cli
