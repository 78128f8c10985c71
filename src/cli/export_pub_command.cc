// SPDX-License-Identifier: Apache-2.0
// `craton-hsm export-pub`: a resident key pair's public half as PEM or DER SubjectPublicKeyInfo.
#include <optional>
#include <string>
#include <vector>

#include "cli/io.h"
#include "cli/operator_commands.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kFooter = R"(
Writes the SubjectPublicKeyInfo of an RSA, EC or Ed25519 key pair: PEM ("BEGIN PUBLIC KEY",
what openssl, ssh-keygen -i -m PKCS8 and most tools read) or, with --der, raw DER. Secret
keys have no public half and are refused.

Example:
  craton-hsm export-pub --key 'pkcs11:object=release-signing' --out release-signing.pem
  openssl dgst -sha256 -verify release-signing.pem -signature file.sig file)";

struct ExportOptions {
  std::string key;
  bool der = false;
  OutputOptions output;
};

Result<void> run_export(const GlobalOptions& global, const ExportOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const KeyUri key, parse_key_uri(options.key, "--key"));
  CRATON_RETURN_IF_ERROR(check_output(options.output));
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  CRATON_RETURN_IF_ERROR(check_same_token(key, *token));
  CRATON_ASSIGN_OR_RETURN(const std::vector<std::uint8_t> spki, token->export_public_key(key.ref));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  const bool as_text = options.output.hex || options.output.base64 || options.output.json;
  if (options.der || as_text) {
    return emit_bytes(spki, options.output, Sensitivity::Public, stdout_is_terminal(), "der");
  }
  const std::string pem = to_pem(spki, "PUBLIC KEY");
  if (!options.output.out) return write_stdout(pem);
  return write_file(*options.output.out,
                    ByteView(reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size()),
                    Sensitivity::Public);
}

}  // namespace

void add_export_pub_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* command =
      app.add_subcommand("export-pub", "export a key pair's public key (PEM or DER)");
  command->add_option("--key", options->key, "PKCS#11 URI of the key (pair)")
      ->required()
      ->type_name("URI");
  command->add_flag("--der", options->der, "write DER instead of PEM");
  add_output_options(*command, options->output);
  command->footer(kFooter);
  install_action(*command, global, action, options, run_export);
}

}  // namespace craton::hsm::cli
