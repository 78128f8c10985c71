// SPDX-License-Identifier: Apache-2.0
// Input and output of command bytes: files, standard streams, hex, base64, PEM and --json.
#include "cli/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <expected>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "cli/json_writer.h"
#include "core/hex.h"

namespace craton::hsm::cli {
namespace {

// Grows in wiped memory, so a secret read in chunks leaves no stale copies behind.
using WipedBuffer = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;

constexpr std::string_view kReadWhole = "this command reads whole";

// How much a buffer grows per read while the input's length is unknown (pipes, devices).
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;

// Reads `input` into `data` until its end or until `data` holds more than `limit` bytes;
// true when the input ended within the limit.
template <typename Buffer>
Result<bool> read_bounded(Input& input, std::size_t limit, Buffer& data) {
  const std::size_t cap = limit + 1;  // one byte past the limit tells "more" from "exactly"
  if (const auto size = input.regular_size()) {
    data.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*size + 1, cap)));
  }
  while (data.size() < cap) {
    const std::size_t before = data.size();
    const std::size_t wanted = std::min(kReadChunk, cap - before);
    data.resize(before + wanted);
    CRATON_ASSIGN_OR_RETURN(const std::size_t got, input.read(std::span(data).subspan(before)));
    data.resize(before + got);
    if (got < wanted) break;  // read() fills its buffer unless the input has ended
  }
  return data.size() <= limit;
}

template <typename Buffer>
Result<Buffer> read_whole(const std::optional<std::string>& path, std::size_t limit) {
  CRATON_ASSIGN_OR_RETURN(Input input, Input::open(path));
  if (const auto size = input.regular_size(); size && *size > limit) {
    return std::unexpected(input_too_large(input, limit, kReadWhole));
  }
  Buffer data;
  CRATON_ASSIGN_OR_RETURN(const bool complete, read_bounded(input, limit, data));
  if (!complete) return std::unexpected(input_too_large(input, limit, kReadWhole));
  return data;
}

Result<void> write_stdout_bytes(ByteView data) {
  std::fflush(stdout);  // keep anything printed through stdio before these bytes
  return write_all(STDOUT_FILENO, data, "standard output");
}

std::string encode_text(ByteView data, const OutputOptions& options) {
  return (options.hex ? to_hex(data) : to_base64(data)) + "\n";
}

std::string render_json(ByteView data, const OutputOptions& options, std::string_view json_field,
                        const JsonFields& fields) {
  JsonWriter json;
  json.begin_object();
  for (const auto& [name, value] : fields) json.key(name).value(value);
  json.key("bytes").value(static_cast<std::uint64_t>(data.size()));
  if (options.out) {
    json.key("out").value(options.out->string());
  } else {
    json.key(json_field).value(to_base64(data));
  }
  json.end_object();
  return json.str() + "\n";
}

}  // namespace

void add_output_options(CLI::App& command, OutputOptions& options) {
  command
      .add_option_function<std::string>(
          "--out", [&options](const std::string& value) { options.out = value; },
          "write the result to FILE (whole or not at all; never through a symlink)")
      ->type_name("FILE");
  auto* hex = command.add_flag("--hex", options.hex, "print the result as hex");
  auto* base64 = command.add_flag("--base64", options.base64, "print the result as base64");
  auto* json = command.add_flag("--json", options.json, "print one JSON object (bytes as base64)");
  hex->excludes(base64)->excludes(json);
  base64->excludes(json);
}

Result<void> check_output(const OutputOptions& options) {
  if (!options.out) return {};
  return check_output_file(*options.out);
}

Result<void> emit_bytes(ByteView data, const OutputOptions& options, Sensitivity sensitivity,
                        bool stdout_is_tty, std::string_view json_field, const JsonFields& fields) {
  const bool text = options.hex || options.base64;
  if (options.out) {
    if (text) {
      const std::string encoded = encode_text(data, options);
      CRATON_RETURN_IF_ERROR(write_file(
          *options.out,
          ByteView(reinterpret_cast<const std::uint8_t*>(encoded.data()), encoded.size()),
          sensitivity));
    } else {
      CRATON_RETURN_IF_ERROR(write_file(*options.out, data, sensitivity));
    }
    if (options.json) return write_stdout(render_json(data, options, json_field, fields));
    return {};
  }
  if (options.json) return write_stdout(render_json(data, options, json_field, fields));
  if (text) return write_stdout(encode_text(data, options));
  if (stdout_is_tty) {
    return fail(ErrorCode::InvalidArgument,
                "refusing to write binary output to a terminal: use --out FILE, --hex or "
                "--base64, or redirect standard output");
  }
  return write_stdout_bytes(data);
}

Result<Input> Input::open(const std::optional<std::string>& path) {
  const bool from_stdin = !path || *path == "-";
  std::string name = from_stdin ? std::string("standard input") : fmt::format("{:?}", *path);
  // Standard input through a duplicate: every Input then owns (and closes) its descriptor.
  UniqueFd fd(from_stdin ? ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
                         : ::open(path->c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  struct stat info {};
  if (!fd.valid() || ::fstat(fd.get(), &info) != 0) {
    const int error = errno;
    return fail(ErrorCode::InvalidArgument,
                fmt::format("cannot open {}: {}", name, errno_text(error)));
  }
  if (S_ISDIR(info.st_mode)) {
    return fail(ErrorCode::InvalidArgument, fmt::format("{} is a directory", name));
  }
  std::optional<std::uint64_t> size;
  if (S_ISREG(info.st_mode)) {
    // Standard input may be a file the shell opened at an offset ("< file" after a read).
    const off_t at = ::lseek(fd.get(), 0, SEEK_CUR);
    const auto total = static_cast<std::uint64_t>(info.st_size);
    const auto offset = static_cast<std::uint64_t>(std::max<off_t>(at, 0));
    size = total > offset ? total - offset : 0;
  }
  return Input(std::move(fd), std::move(name), size);
}

Result<std::size_t> Input::read(std::span<std::uint8_t> buffer) {
  const std::expected<std::size_t, int> got = read_into(fd_, std::as_writable_bytes(buffer));
  if (!got) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("reading {} failed: {}", name_, errno_text(got.error())));
  }
  return *got;
}

HsmError input_too_large(const Input& input, std::size_t limit, std::string_view limited_by) {
  if (const auto size = input.regular_size(); size && *size > limit) {
    return HsmError(ErrorCode::DataLenRange,
                    fmt::format("{} is {} bytes, more than the {} bytes {}", input.name(), *size,
                                limit, limited_by));
  }
  return HsmError(ErrorCode::DataLenRange, fmt::format("{} holds more than the {} bytes {}",
                                                       input.name(), limit, limited_by));
}

Result<InputHead> read_head(const std::optional<std::string>& path, std::size_t limit) {
  CRATON_ASSIGN_OR_RETURN(Input input, Input::open(path));
  InputHead result{std::move(input), {}, false};
  if (const auto size = result.input.regular_size(); size && *size > limit) return result;
  CRATON_ASSIGN_OR_RETURN(result.complete, read_bounded(result.input, limit, result.head));
  return result;
}

Result<Bytes> read_input(const std::optional<std::string>& path, std::size_t limit) {
  return read_whole<Bytes>(path, limit);
}

Result<SecretBytes> read_secret_input(const std::optional<std::string>& path, std::size_t limit) {
  CRATON_ASSIGN_OR_RETURN(const WipedBuffer data, read_whole<WipedBuffer>(path, limit));
  return SecretBytes(data);
}

Result<void> write_stdout(std::string_view text) {
  // Plain fwrite: fmt::print would throw on a failed write instead of returning.
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    return fail(ErrorCode::Internal, "writing to standard output failed");
  }
  return {};
}

bool stdin_is_terminal() noexcept {
  return ::isatty(STDIN_FILENO) == 1;
}

bool stdout_is_terminal() noexcept {
  return ::isatty(STDOUT_FILENO) == 1;
}

Result<Bytes> parse_hex(std::string_view text, std::string_view what) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  Bytes bytes;
  // The pending high nibble, or -1: a plain int, as GCC 12's -Wmaybe-uninitialized misreads an
  // optional here (Release, -Werror).
  int high = -1;
  for (const char c : text) {
    if (c == ':' && high < 0) continue;
    const std::optional<std::uint8_t> value = hex_digit_value(c);
    if (!value) {
      return fail(ErrorCode::InvalidArgument,
                  fmt::format("{}: {:?} is not hex (expected digits 0-9a-f)", what, text));
    }
    if (high < 0) {
      high = *value;
    } else {
      bytes.push_back(static_cast<std::uint8_t>((high << 4) | *value));
      high = -1;
    }
  }
  if (high >= 0 || bytes.empty()) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("{}: {:?} is not a whole number of hex bytes", what, text));
  }
  return bytes;
}

std::string to_base64(ByteView data) {
  // EVP_EncodeBlock writes 4 characters per started 3 bytes and a terminating NUL.
  std::string text(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()), data.data(),
                                     static_cast<int>(data.size()));
  text.resize(static_cast<std::size_t>(length));
  return text;
}

std::string to_pem(ByteView der, std::string_view label) {
  const std::string body = to_base64(der);
  std::string pem = fmt::format("-----BEGIN {}-----\n", label);
  for (std::size_t at = 0; at < body.size(); at += 64) {
    pem += body.substr(at, 64);
    pem += '\n';
  }
  pem += fmt::format("-----END {}-----\n", label);
  return pem;
}

}  // namespace craton::hsm::cli
