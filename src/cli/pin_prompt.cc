// SPDX-License-Identifier: Apache-2.0
// The terminal PIN prompt: termios echo off, one line read into wiped memory, and the terminal
// restored however the entry ends (as getpass(3) and OpenSSH's readpassphrase do it).
#include "cli/pin_prompt.h"

#include <poll.h>
#include <pthread.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <vector>

#include <fmt/format.h>

namespace craton::hsm::cli {
namespace {

// The signal that ended the entry, for the loop to see after read() returns EINTR.
volatile std::sig_atomic_t g_interrupted_by = 0;

extern "C" void note_signal(int signal_number) {
  g_interrupted_by = signal_number;
}

// Signals that end the process by default: caught so echo is back on first, then re-raised.
constexpr std::array kEndingSignals{SIGINT, SIGTERM, SIGQUIT, SIGHUP};

// Installs note_signal and blocks those signals for the object's life, so they can arrive only
// while read_line waits in ppoll (a signal that came between a check and a blocking read would
// otherwise leave the read waiting, with echo off); ignores SIGTSTP meanwhile: a stop while
// echo is off would leave the shell without echo. The destructor unblocks first (a pending
// signal is noted, not acted on) and then puts the caller's dispositions back.
class SignalGuard {
 public:
  SignalGuard() {
    g_interrupted_by = 0;
    struct sigaction catching {};
    catching.sa_handler = note_signal;
    sigemptyset(&catching.sa_mask);
    sigset_t ending;
    sigemptyset(&ending);
    for (std::size_t i = 0; i < kEndingSignals.size(); ++i) {
      sigaction(kEndingSignals[i], &catching, &saved_[i]);
      sigaddset(&ending, kEndingSignals[i]);
    }
    struct sigaction ignoring {};
    ignoring.sa_handler = SIG_IGN;
    sigemptyset(&ignoring.sa_mask);
    sigaction(SIGTSTP, &ignoring, &saved_stop_);
    pthread_sigmask(SIG_BLOCK, &ending, &waiting_mask_);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;
  ~SignalGuard() {
    pthread_sigmask(SIG_SETMASK, &waiting_mask_, nullptr);
    for (std::size_t i = 0; i < kEndingSignals.size(); ++i) {
      sigaction(kEndingSignals[i], &saved_[i], nullptr);
    }
    sigaction(SIGTSTP, &saved_stop_, nullptr);
  }
  // The mask to wait under: the caller's, which lets the ending signals in.
  [[nodiscard]] const sigset_t& waiting_mask() const noexcept { return waiting_mask_; }

 private:
  std::array<struct sigaction, kEndingSignals.size()> saved_{};
  struct sigaction saved_stop_ {};
  sigset_t waiting_mask_{};
};

// Echo off for the object's life (the Enter key is not echoed either; the caller prints the
// newline). TCSAFLUSH drops what was typed ahead of the prompt, as getpass does.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    ok_ = tcgetattr(fd_, &saved_) == 0;
    if (!ok_) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL);
    ok_ = tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  ~EchoOff() {
    if (ok_) tcsetattr(fd_, TCSANOW, &saved_);
  }
  [[nodiscard]] bool ok() const noexcept { return ok_; }

 private:
  int fd_;
  termios saved_{};
  bool ok_ = false;
};

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a prompt that cannot be shown is not worth failing the entry for
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Wiped when freed, and in pages left out of core dumps, like the SecretString it becomes.
using PinBuffer = std::vector<char, WipingAllocator<char, DontDumpAllocator<char>>>;

enum class LineEnd { Newline, EndOfInput, TooLong, Interrupted, ReadError };

// Reads up to a newline into `line`, one byte at a time so nothing past the line is consumed,
// waiting in ppoll under `waiting_mask` (the only place an ending signal can arrive). An
// over-long line is still read to its end: what stayed in the terminal's buffer would be read
// by the shell next, as a command line, into its history.
LineEnd read_line(int fd, const sigset_t& waiting_mask, PinBuffer& line, std::size_t& size) {
  bool too_long = false;
  for (;;) {
    if (g_interrupted_by != 0) return LineEnd::Interrupted;
    pollfd ready{fd, POLLIN, 0};
    if (ppoll(&ready, 1, nullptr, &waiting_mask) < 0) {
      if (errno == EINTR) continue;
      return LineEnd::ReadError;
    }
    char c = 0;
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return LineEnd::ReadError;
    if (n == 0) return too_long ? LineEnd::TooLong : LineEnd::EndOfInput;
    if (c == '\n' || c == '\r') return too_long ? LineEnd::TooLong : LineEnd::Newline;
    if (size == line.size()) {
      too_long = true;
    } else {
      line[size++] = c;
    }
  }
}

}  // namespace

Result<SecretString> prompt_for_pin(int in_fd, int out_fd, std::string_view prompt) {
  if (isatty(in_fd) != 1 || tcgetpgrp(in_fd) != getpgrp()) {
    return fail(ErrorCode::LoginRequired,
                "no PIN is configured and standard input is not a terminal in the foreground to "
                "ask for one");
  }
  PinBuffer line(kMaxTerminalPinBytes);
  std::size_t size = 0;
  LineEnd end = LineEnd::ReadError;
  {
    const SignalGuard signals;
    const EchoOff echo_off(in_fd);
    if (!echo_off.ok()) {
      return fail(ErrorCode::LoginRequired,
                  "the terminal's echo could not be turned off, so no "
                  "PIN is asked for");
    }
    write_all(out_fd, prompt);
    end = read_line(in_fd, signals.waiting_mask(), line, size);
  }  // echo back on; a signal still pending is noted; the caller's dispositions are back
  write_all(out_fd, "\n");
  // Also a signal that came with or after the newline: the operator asked to stop.
  if (const int interrupted_by = g_interrupted_by; interrupted_by != 0) {
    std::raise(interrupted_by);  // its usual effect now that the terminal is restored
    return fail(ErrorCode::OperationCanceled, "the PIN entry was interrupted");
  }
  if (end == LineEnd::TooLong) {
    return fail(ErrorCode::LoginRequired,
                fmt::format("the PIN entered is longer than {} bytes", kMaxTerminalPinBytes));
  }
  if (end == LineEnd::ReadError) {
    return fail(ErrorCode::LoginRequired, "the PIN could not be read from the terminal");
  }
  if (size == 0) return fail(ErrorCode::LoginRequired, "no PIN was entered");
  return SecretString(std::string_view(line.data(), size));
}

}  // namespace craton::hsm::cli
