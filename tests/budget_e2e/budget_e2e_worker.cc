// SPDX-License-Identifier: Apache-2.0
// budget_e2e_worker: one "process of the fleet" for the durable budget tests. Opens a backend on
// the binary's SoftHSM2 token with a durable [budget] store (make_pkcs11_backend, as an
// application would), then M threads encrypt with one AES key until its budget is spent.
// Every attempt is logged to --log with one write(2) of one byte before the call ('a') and one
// after ('s' success, 'f' failure): a process killed with SIGKILL leaves at most one 'a' per
// thread without its outcome, so successes <= count('a') - count('f') holds for every run.
//
// usage: budget_e2e_worker --store sqlite|postgresql --target PATH_OR_URL --identity KEY_FILE
//          --limit N --block-min N --block-max N --threads M --key HEX --log FILE
//          [--password-env NAME] [--timeout-ms N] [--pause-us N]
// exit: 0 when every thread saw KeyUsageLimitExceeded, 3 when the backend does not start
// (the error on stderr), 4 on an unexpected error.
#include <craton/hsm/pkcs11_backend.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace {

using namespace craton::hsm;

std::vector<std::uint8_t> from_hex(const std::string& hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  Pkcs11PassthroughConfig config;
  config.library_path = CRATON_SOFTHSM_MODULE;
  config.token_label = "ci-token";
  config.user_pin.emplace("1234");
  config.pool_size = 4;
  config.gcm_max_messages_per_key = std::stoull(args["--limit"]);
  if (args["--store"] == "postgresql") {
    config.budget.store = BudgetStoreKind::Postgresql;
    config.budget.url = args["--target"];
    if (args.contains("--password-env")) config.budget.password_env = args["--password-env"];
  } else {
    config.budget.store = BudgetStoreKind::Sqlite;
    config.budget.path = args["--target"];
  }
  config.budget.identity_key_file = args["--identity"];
  config.budget.block_min = std::stoull(args["--block-min"]);
  config.budget.block_max = std::stoull(args["--block-max"]);
  if (args.contains("--timeout-ms")) {
    config.budget.timeout_ms = static_cast<std::uint32_t>(std::stoul(args["--timeout-ms"]));
  }
  const int threads = std::stoi(args["--threads"]);
  // Each thread rests this long after a success, so that a run lasts long enough to be killed
  // in the middle of (a 4-process SQLite fleet otherwise spends 10,000 counts in 200 ms).
  const std::chrono::microseconds pause(args.contains("--pause-us") ? std::stoul(args["--pause-us"])
                                                                    : 0);
  const Key key = Key::aes(from_hex(args["--key"])).value();
  const int log = ::open(args["--log"].c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) return 4;

  // SoftHSM2 rewrites its token file in place when another process logs in: a process that
  // reads it at that moment finds no token, or has a call refused (CKR_GENERAL_ERROR). That is
  // SoftHSM2's; a moment later the file is whole again. Only a configuration refusal is final.
  auto backend = make_pkcs11_backend(config.clone());
  for (int attempt = 0;
       !backend && backend.error().code() != ErrorCode::ConfigInvalid && attempt < 100; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    backend = make_pkcs11_backend(config.clone());
  }
  if (!backend) {
    std::fprintf(stderr, "%s\n", backend.error().to_string().c_str());
    return 3;
  }
  const auto mark = [log](char c) { (void)!::write(log, &c, 1); };
  std::atomic<bool> unexpected{false};
  const std::vector<std::uint8_t> message(64, 0x5a);
  {
    // The threads join at the end of this scope, before anything they use is destroyed.
    std::vector<std::jthread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        for (;;) {
          mark('a');
          auto sealed = (*backend)->aes_gcm_encrypt(key, message, {});
          mark(sealed ? 's' : 'f');
          if (sealed) {
            std::this_thread::sleep_for(pause);
            continue;
          }
          if (sealed.error().code() == ErrorCode::KeyUsageLimitExceeded) return;
          if (sealed.error().is_transient()) {
            // The store busy or away for a moment (another process's transaction): later.
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
          }
          std::fprintf(stderr, "%s\n", sealed.error().to_string().c_str());
          unexpected = true;
          return;
        }
      });
    }
  }
  return unexpected ? 4 : 0;
}
