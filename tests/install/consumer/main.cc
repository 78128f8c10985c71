// SPDX-License-Identifier: Apache-2.0
// Uses only installed headers and the installed archive; run.sh compares what it prints.
#include <craton/hsm/error.h>
#include <craton/hsm/secret.h>

#include <string>

#include <fmt/format.h>

int main() {
  namespace hsm = craton::hsm;
  constexpr std::string_view kPin = "consumer-pin-0000";

  // to_string() and action() live in the archive, so this fails to link if it is missing.
  const hsm::HsmError error(hsm::ErrorCode::InvalidArgument, "consumer check");
  // The destructor wipes through OPENSSL_cleanse: proves the private libcrypto link came along.
  const hsm::SecretString secret(kPin);

  const std::string shown = fmt::format("{}", secret);
  if (shown.find(kPin) != std::string::npos || secret.expose() != kPin) return 1;
  if (error.action() != hsm::ErrorAction::Stop) return 1;

  fmt::print("error: {}\nsecret: {}\n", error, shown);
  return 0;
}
