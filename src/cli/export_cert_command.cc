// SPDX-License-Identifier: Apache-2.0
// `craton-hsm export-cert`: a certificate on the token, as DER or PEM.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/io.h"
#include "cli/json_writer.h"
#include "cli/object_select.h"
#include "cli/operator_commands.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kExportCertFooter = R"(
Writes the X.509 certificate --cert names (a URI with object=, id= or both, as list prints it
with type=cert), or the certificate of the key --key names (the certificate with that key's
id, as pkcs11-tool and p11-kit pair them). DER by default, PEM ("BEGIN CERTIFICATE") with
--pem; the bytes are exactly what the token holds. --json describes the result on standard
output and never changes what --out FILE holds; without --out the certificate is in the object
as base64 DER. A certificate its URI does not name alone is named with --handle N.

Example:
  craton-hsm export-cert --cert 'pkcs11:object=server-cert;type=cert' --pem --out server.pem
  craton-hsm export-cert --key 'pkcs11:object=server-key' --out server.der
  openssl x509 -in server.pem -noout -subject)";

struct ExportCertOptions {
  std::optional<std::string> key;
  std::optional<std::string> cert;
  std::optional<std::uint64_t> handle;
  bool pem = false;
  OutputOptions output;
};

// The certificate reference --cert gives: its class is the certificate class.
Result<KeyUri> parse_cert_uri(const std::string& text, std::optional<std::uint64_t> handle) {
  auto uri = Pkcs11Uri::parse(text);
  if (!uri) {
    return fail(ErrorCode::InvalidArgument, fmt::format("--cert: {}", uri.error().message()));
  }
  if (uri->type && *uri->type != ObjectClass::Certificate) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("--cert: type={} is not a certificate (use type=cert, or --key for "
                            "the certificate of a key)",
                            object_class_name(*uri->type)));
  }
  if ((!uri->object || uri->object->empty()) && (!uri->id || uri->id->empty()) && !handle) {
    return fail(ErrorCode::InvalidArgument,
                "--cert: the URI names no certificate (give object=<label> and/or id=<bytes>)");
  }
  KeyUri cert;
  cert.ref.label = uri->object;
  cert.ref.id = uri->id;
  cert.ref.object_class = ObjectClass::Certificate;
  cert.ref.handle = handle;
  cert.uri = std::move(*uri);
  return cert;
}

// The certificate of the key `key` names: the one with the key's id.
Result<KeyRef> certificate_of_key(Pkcs11Backend& token, const KeyUri& key) {
  CRATON_RETURN_IF_ERROR(check_same_token(key, token));
  ObjectQuery query;
  query.object_class = key.ref.object_class;
  query.label = key.ref.label;
  query.id = key.ref.id;
  CRATON_ASSIGN_OR_RETURN(std::vector<TokenObjectInfo> objects, token.list_objects(query));
  std::erase_if(objects, [&](const TokenObjectInfo& object) {
    // As --key means elsewhere: without type=, the private or secret key.
    return !object.key || (!key.ref.object_class && object.object_class == ObjectClass::PublicKey);
  });
  if (objects.size() != 1) {
    return fail(objects.empty() ? ErrorCode::KeyNotFound : ErrorCode::KeyAmbiguous,
                fmt::format("{} key objects match {}", objects.size(), key.ref.to_uri()));
  }
  if (objects.front().id.empty()) {
    return fail(ErrorCode::KeyNotFound,
                fmt::format("{} has no id (CKA_ID), so no certificate belongs to it; use --cert",
                            objects.front().uri));
  }
  KeyRef cert;
  cert.id = objects.front().id;
  cert.object_class = ObjectClass::Certificate;
  return cert;
}

std::string render_json(const ExportCertOptions& options, const std::string& named, ByteView der) {
  JsonWriter json;
  json.begin_object().key(options.key ? "key" : "cert").value(named);
  if (options.output.out) json.key("format").value(options.pem ? "pem" : "der");
  json.key("bytes").value(static_cast<std::uint64_t>(der.size()));
  if (options.output.out) {
    json.key("out").value(options.output.out->string());
  } else {
    json.key("certificate").value(to_base64(der));
  }
  json.end_object();
  return json.str() + "\n";
}

Result<void> run_export_cert(const GlobalOptions& global, const ExportCertOptions& options) {
  if (options.key.has_value() == options.cert.has_value()) {
    return fail(ErrorCode::InvalidArgument, "export-cert needs exactly one of --key and --cert");
  }
  std::optional<KeyUri> key;
  std::optional<KeyUri> cert;
  if (options.key) {
    CRATON_ASSIGN_OR_RETURN(key, parse_key_selection(*options.key, options.handle, "--key"));
  } else {
    CRATON_ASSIGN_OR_RETURN(cert, parse_cert_uri(*options.cert, options.handle));
  }
  CRATON_RETURN_IF_ERROR(check_output(options.output));
  CRATON_ASSIGN_OR_RETURN(const auto token, open_token(global));
  KeyRef ref;
  if (key) {
    CRATON_ASSIGN_OR_RETURN(ref, certificate_of_key(*token, *key));
  } else {
    CRATON_RETURN_IF_ERROR(check_same_token(*cert, *token));
    ref = cert->ref;
  }
  CRATON_ASSIGN_OR_RETURN(const std::vector<std::uint8_t> der, token->export_certificate(ref));
  CRATON_RETURN_IF_ERROR(token->flush_audit());
  const std::string named = options.key ? *options.key : *options.cert;
  if (options.output.json && !options.output.out) {
    return write_stdout(render_json(options, named, der));
  }
  if (options.output.hex || options.output.base64) {
    return emit_bytes(der, options.output, Sensitivity::Public, stdout_is_terminal(), "der");
  }
  if (options.pem) {
    const std::string pem = to_pem(der, "CERTIFICATE");
    const ByteView pem_bytes(reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size());
    if (options.output.out) {
      CRATON_RETURN_IF_ERROR(write_file(*options.output.out, pem_bytes, Sensitivity::Public));
    } else {
      CRATON_RETURN_IF_ERROR(write_stdout(pem));
    }
  } else {
    OutputOptions raw = options.output;
    raw.json = false;
    CRATON_RETURN_IF_ERROR(
        emit_bytes(der, raw, Sensitivity::Public, stdout_is_terminal(), "certificate"));
  }
  if (options.output.json) return write_stdout(render_json(options, named, der));
  return {};
}

}  // namespace

void add_export_cert_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<ExportCertOptions>();
  CLI::App* command =
      app.add_subcommand("export-cert", "export a certificate from the token (DER or PEM)");
  command->add_option("--cert", options->cert, "PKCS#11 URI of the certificate")->type_name("URI");
  command->add_option("--key", options->key, "PKCS#11 URI of a key: export its certificate")
      ->type_name("URI");
  add_handle_option(*command, options->handle);
  command->add_flag("--pem", options->pem, "write PEM instead of DER");
  add_output_options(*command, options->output);
  command->footer(kExportCertFooter);
  install_action(*command, global, action, options, run_export_cert);
}

}  // namespace craton::hsm::cli
