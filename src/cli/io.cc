// SPDX-License-Identifier: Apache-2.0
// Input and output of command bytes: files, standard streams, hex, base64, PEM and --json.
#include "cli/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "cli/json_writer.h"
#include "core/hex.h"

namespace craton::hsm::cli {
namespace {

// Grows in wiped memory, so a secret read in chunks leaves no stale copies behind.
using WipedBuffer = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};

bool is_stdin(const std::optional<std::string>& path) {
  return !path || *path == "-";
}

Result<WipedBuffer> read_all(const std::optional<std::string>& path) {
  std::unique_ptr<std::FILE, FileCloser> owned;
  std::FILE* file = stdin;
  const std::string name = is_stdin(path) ? std::string("standard input") : *path;
  if (!is_stdin(path)) {
    owned.reset(std::fopen(path->c_str(), "rb"));
    if (!owned) {
      return fail(ErrorCode::InvalidArgument,
                  fmt::format("cannot open {:?}: {}", name, std::strerror(errno)));
    }
    file = owned.get();
  }
  WipedBuffer data;
  std::uint8_t chunk[16384];
  while (true) {
    const std::size_t got = std::fread(chunk, 1, sizeof chunk, file);
    data.insert(data.end(), chunk, chunk + got);
    if (got < sizeof chunk) break;
  }
  const bool failed = std::ferror(file) != 0;
  secure_wipe(chunk, sizeof chunk);
  if (failed) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("reading {} failed: {}", name, std::strerror(errno)));
  }
  return data;
}

Result<void> write_all(int fd, ByteView data, std::string_view name) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t written = ::write(fd, data.data() + done, data.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      return fail(ErrorCode::Internal,
                  fmt::format("writing {} failed: {}", name, std::strerror(errno)));
    }
    done += static_cast<std::size_t>(written);
  }
  return {};
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
          "write the result to FILE instead of standard output")
      ->type_name("FILE");
  auto* hex = command.add_flag("--hex", options.hex, "print the result as hex");
  auto* base64 = command.add_flag("--base64", options.base64, "print the result as base64");
  auto* json = command.add_flag("--json", options.json, "print one JSON object (bytes as base64)");
  hex->excludes(base64)->excludes(json);
  base64->excludes(json);
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

Result<Bytes> read_input(const std::optional<std::string>& path) {
  CRATON_ASSIGN_OR_RETURN(const WipedBuffer data, read_all(path));
  return Bytes(data.begin(), data.end());
}

Result<SecretBytes> read_secret_input(const std::optional<std::string>& path) {
  CRATON_ASSIGN_OR_RETURN(const WipedBuffer data, read_all(path));
  return SecretBytes(data);
}

Result<void> write_file(const std::filesystem::path& path, ByteView data, Sensitivity sensitivity) {
  const mode_t mode = sensitivity == Sensitivity::Secret ? 0600 : 0644;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return fail(ErrorCode::Internal,
                fmt::format("cannot create {:?}: {}", path.string(), std::strerror(errno)));
  }
  // An existing file keeps its mode on O_TRUNC; a secret must not inherit a readable one.
  Result<void> result =
      sensitivity == Sensitivity::Secret && ::fchmod(fd, 0600) != 0
          ? fail(ErrorCode::Internal, fmt::format("cannot restrict {:?} to mode 0600: {}",
                                                  path.string(), std::strerror(errno)))
          : write_all(fd, data, path.string());
  if (::close(fd) != 0 && result) {
    result = fail(ErrorCode::Internal,
                  fmt::format("closing {:?} failed: {}", path.string(), std::strerror(errno)));
  }
  return result;
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
