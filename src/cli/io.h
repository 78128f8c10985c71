// SPDX-License-Identifier: Apache-2.0
// Where a command's bytes come from and go to: files, standard streams, hex and base64.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>
#include <craton/hsm/secret.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/App.hpp>

#include "cli/atomic_file.h"
#include "core/unique_fd.h"

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

// check_output_file for --out, when given: every command calls it before it opens the token.
[[nodiscard]] Result<void> check_output(const OutputOptions& options);

// Key/value pairs that describe a result in --json output ("scheme": "ECDSA-P256-SHA256").
using JsonFields = std::vector<std::pair<std::string, std::string>>;

// Writes `data` as `options` ask. Raw bytes go to standard output only when it is not a
// terminal (`stdout_is_tty`, injected so tests need no TTY): a terminal would mangle them
// and echo secrets into scrollback. With --json the bytes appear base64-encoded under
// `json_field` (or, with --out, the file name and size instead). --out is written with
// write_file: whole or not at all. Errors: InvalidArgument (binary to a terminal, an --out that
// check_output_file refuses), Internal (a failed write).
[[nodiscard]] Result<void> emit_bytes(ByteView data, const OutputOptions& options,
                                      Sensitivity sensitivity, bool stdout_is_tty,
                                      std::string_view json_field, const JsonFields& fields = {});

// The most a command reads whole (encrypt, decrypt, wrap, unwrap, --aad-file, an Ed25519
// message): the library's default max_message_bytes. digest, sign and verify stream longer
// inputs instead.
inline constexpr std::size_t kMaxWholeInputBytes = std::size_t{64} << 20;

// A command's input, opened but not read: the file, or standard input for nullopt or "-".
// Read in pieces; nothing is buffered. Move-only, one thread at a time.
class Input {
 public:
  // Errors: InvalidArgument naming the file (never its content).
  [[nodiscard]] static Result<Input> open(const std::optional<std::string>& path);
  // Fills `buffer` unless the input ends first; returns the count, 0 at the end.
  // Errors: InvalidArgument naming the input.
  [[nodiscard]] Result<std::size_t> read(std::span<std::uint8_t> buffer);
  // A regular file's size, known before reading; nullopt for pipes, terminals and devices
  // (/dev/zero), whose length shows only at their end.
  [[nodiscard]] std::optional<std::uint64_t> regular_size() const noexcept { return size_; }
  // "standard input" or the quoted file name, for messages.
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  Input(UniqueFd fd, std::string name, std::optional<std::uint64_t> size)
      : fd_(std::move(fd)), name_(std::move(name)), size_(size) {}

  UniqueFd fd_;  // standard input is read through a duplicate, so every Input owns its fd
  std::string name_;
  std::optional<std::uint64_t> size_;
};

// The start of an input: all of it when it holds at most `limit` bytes (`complete`), else its
// first `limit` bytes and the input positioned after them, so that a caller can stream the
// rest without having held the whole in memory. A regular file larger than `limit` is not
// read at all (`head` empty). Errors: those of Input.
struct InputHead {
  Input input;
  Bytes head;
  bool complete = false;
};
[[nodiscard]] Result<InputHead> read_head(const std::optional<std::string>& path,
                                          std::size_t limit);

// DataLenRange for an input past `limit`: "<name> is N bytes, more than the <limit> bytes
// <limited_by>" (or "holds more than" when its length is unknown).
[[nodiscard]] HsmError input_too_large(const Input& input, std::size_t limit,
                                       std::string_view limited_by);

// The whole input, at most `limit` bytes: a regular file is measured before it is read, any
// other input (a pipe, /dev/zero, endless stdin) is read to at most limit + 1 bytes.
// Errors: InvalidArgument naming the file; DataLenRange naming the limit.
[[nodiscard]] Result<Bytes> read_input(const std::optional<std::string>& path,
                                       std::size_t limit = kMaxWholeInputBytes);
[[nodiscard]] Result<SecretBytes> read_secret_input(const std::optional<std::string>& path,
                                                    std::size_t limit = kMaxWholeInputBytes);

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
