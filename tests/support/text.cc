// SPDX-License-Identifier: Apache-2.0
#include "support/text.h"

#include <cstdint>
#include <fstream>
#include <sstream>

namespace craton::hsm::testing {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string base64(ByteView bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(4 * ((bytes.size() + 2) / 3));
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t chunk = std::uint32_t{bytes[i]} << 16;
    if (n > 1) chunk |= std::uint32_t{bytes[i + 1]} << 8;
    if (n > 2) chunk |= bytes[i + 2];
    out.push_back(kAlphabet[(chunk >> 18) & 0x3f]);
    out.push_back(kAlphabet[(chunk >> 12) & 0x3f]);
    out.push_back(n > 1 ? kAlphabet[(chunk >> 6) & 0x3f] : '=');
    out.push_back(n > 2 ? kAlphabet[chunk & 0x3f] : '=');
  }
  return out;
}

}  // namespace craton::hsm::testing
