// SPDX-License-Identifier: Apache-2.0
// Where a command's bytes come from and go to: files, standard streams, hex and base64.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>
#include <craton/hsm/secret.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/App.hpp>

namespace craton::hsm::cli {

// How a command that produces bytes (a signature, ciphertext, random bytes, DER) prints them.
struct OutputOptions {
  std::optional<std::filesystem::path> out;  // --out FILE; absent: standard output
  bool hex = false;                          // --hex: lowercase hex and a newline
  bool base64 = false;                       // --base64: one base64 line
  bool json = false;                         // --json: one JSON object, the bytes as base64
};

// Registers --out, --hex, --base64 and --json on `command` (the encodings exclude each other).
void add_output_options(CLI::App& command, OutputOptions& options);

// Secret outputs (plaintext, unwrapped keys) land in files created with mode 0600.
enum class Sensitivity { Public, Secret };

// Key/value pairs that describe a result in --json output ("scheme": "ECDSA-P256-SHA256").
using JsonFields = std::vector<std::pair<std::string, std::string>>;

// Writes `data` as `options` ask. Raw bytes go to standard output only when it is not a
// terminal (`stdout_is_tty`, injected so tests need no TTY): a terminal would mangle them
// and echo secrets into scrollback. With --json the bytes appear base64-encoded under
// `json_field` (or, with --out, the file name and size instead). Errors: InvalidArgument
// (binary to a terminal), Internal (a failed write).
[[nodiscard]] Result<void> emit_bytes(ByteView data, const OutputOptions& options,
                                      Sensitivity sensitivity, bool stdout_is_tty,
                                      std::string_view json_field, const JsonFields& fields = {});

// The whole input: the file, or standard input for nullopt or "-". Errors: InvalidArgument
// naming the file (never its content).
[[nodiscard]] Result<Bytes> read_input(const std::optional<std::string>& path);
[[nodiscard]] Result<SecretBytes> read_secret_input(const std::optional<std::string>& path);

// Writes `data` to `path` (created or truncated; mode 0600 for secrets). Errors: Internal.
[[nodiscard]] Result<void> write_file(const std::filesystem::path& path, ByteView data,
                                      Sensitivity sensitivity);

// Prints text on standard output and checks the write (a full disk must not exit 0).
[[nodiscard]] Result<void> write_stdout(std::string_view text);

[[nodiscard]] bool stdin_is_terminal() noexcept;
[[nodiscard]] bool stdout_is_terminal() noexcept;

// Accepts upper- and lowercase digits, an optional "0x" prefix and ':' separators
// ("01:af"). Errors: InvalidArgument naming `what`.
[[nodiscard]] Result<Bytes> parse_hex(std::string_view text, std::string_view what);
[[nodiscard]] std::string to_base64(ByteView data);
// RFC 7468 textual encoding: "-----BEGIN <label>-----", base64 in 64-character lines, END.
[[nodiscard]] std::string to_pem(ByteView der, std::string_view label);

}  // namespace craton::hsm::cli
