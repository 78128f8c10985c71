// SPDX-License-Identifier: Apache-2.0
// `craton-hsm export-pub`: a resident key pair's public half as PEM or DER SubjectPublicKeyInfo.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/io.h"
#include "cli/json_writer.h"
#include "cli/object_select.h"
#include "cli/operator_commands.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kExportPubFooter = R"(
Writes the SubjectPublicKeyInfo of an RSA, EC or Ed25519 key pair: PEM ("BEGIN PUBLIC KEY",
what openssl, ssh-keygen -i -m PKCS8 and most tools read) or, with --der, raw DER. Secret
keys have no public half and are refused. An object its URI does not name alone is named by
the URI and --handle N as `list` prints them (see `destroy --help`). --json describes the
result on standard output and never changes what --out FILE holds (PEM, or DER with --der);
without --out the key is in the object as base64 DER.

Example:
  craton-hsm export-pub --key 'pkcs11:object=release-signing' --out release-signing.pem
  openssl dgst -sha256 -verify release-signing.pem -signature file.sig file)";

struct ExportOptions {
  std::string key;
  std::optional<std::uint64_t> handle;
  bool der = false;
  OutputOptions output;
};

// {"key":URI,"format":"pem"|"der","bytes":N,"out":FILE}, or without --out
// {"key":URI,"bytes":N,"public_key":base64 DER} (docs/cli-json.md).
std::string render_json(const ExportOptions& options, ByteView spki) {
  JsonWriter json;
  json.begin_object().key("key").value(options.key);
  if (options.output.out) json.key("format").value(options.der ? "der" : "pem");
  json.key("bytes").value(static_cast<std::uint64_t>(spki.size()));
  if (options.output.out) {
    json.key("out").value(options.output.out->string());
  } else {
    json.key("public_key").value(to_base64(spki));
  }
  json.end_object();
  return json.str() + "\n";
}

Result<void> run_export(const GlobalOptions& global, const ExportOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const KeyUri key,
                          parse_key_selection(options.key, options.handle, "--key"));
  CRATON_RETURN_IF_ERROR(check_output(options.output));
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  CRATON_RETURN_IF_ERROR(check_same_token(key, *token));
  CRATON_ASSIGN_OR_RETURN(const std::vector<std::uint8_t> spki, token->export_public_key(key.ref));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  if (options.output.json && !options.output.out) {
    return write_stdout(render_json(options, spki));
  }
  if (options.output.hex || options.output.base64) {
    return emit_bytes(spki, options.output, Sensitivity::Public, stdout_is_terminal(), "der");
  }
  if (options.der) {
    OutputOptions raw = options.output;
    raw.json = false;
    CRATON_RETURN_IF_ERROR(
        emit_bytes(spki, raw, Sensitivity::Public, stdout_is_terminal(), "public_key"));
  } else {
    const std::string pem = to_pem(spki, "PUBLIC KEY");
    const ByteView pem_bytes(reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size());
    if (options.output.out) {
      CRATON_RETURN_IF_ERROR(write_file(*options.output.out, pem_bytes, Sensitivity::Public));
    } else {
      CRATON_RETURN_IF_ERROR(write_stdout(pem));
    }
  }
  if (options.output.json) return write_stdout(render_json(options, spki));
  return {};
}

}  // namespace

void add_export_pub_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* command =
      app.add_subcommand("export-pub", "export a key pair's public key (PEM or DER)");
  command->add_option("--key", options->key, "PKCS#11 URI of the key (pair)")
      ->required()
      ->type_name("URI");
  add_handle_option(*command, options->handle);
  command->add_flag("--der", options->der, "write DER instead of PEM");
  add_output_options(*command, options->output);
  command->footer(kExportPubFooter);
  install_action(*command, global, action, options, run_export);
}

}  // namespace craton::hsm::cli
