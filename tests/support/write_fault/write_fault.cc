// SPDX-License-Identifier: Apache-2.0
// The write-failure injector: interposes the calls that put bytes into a file or make them
// durable, and fails those on one file as write_fault_control.h describes. Test-only.
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "write_fault_control.h"

namespace {

struct State {
  std::mutex mu;
  std::string path;        // canonical
  std::string containing;  // only writes holding these bytes count (empty: every write)
  int error = 0;
  unsigned long after = 0;
  unsigned calls = 0;
  bool partial = false;
  bool tripped = false;  // failed once: from then on every call fails, whatever its content
  bool limit_lowered = false;
  rlimit original_limit{};
};

State& state() {
  static State* s = new State;  // never destroyed: writes may come during exit
  return *s;
}

std::atomic<bool> armed{false};
std::atomic<unsigned long> failures{0};

template <typename F>
F real(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

// realpath of the directory plus the name: the file itself may not exist yet.
std::string canonical(const char* path) {
  std::string text(path);
  const std::size_t slash = text.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : text.substr(0, slash);
  const std::string name = slash == std::string::npos ? text : text.substr(slash + 1);
  char resolved[PATH_MAX];
  if (::realpath(dir.empty() ? "/" : dir.c_str(), resolved) == nullptr) return text;
  return std::string(resolved) + "/" + name;
}

bool names_target(int fd, const std::string& target) {
  char link[64];
  char name[PATH_MAX];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = ::readlink(link, name, sizeof name - 1);
  return n > 0 && static_cast<std::size_t>(n) == target.size() &&
         std::memcmp(name, target.data(), target.size()) == 0;
}

enum class Verdict { Pass, Fail, Torn };

// Decides the fate of one call of `kind` on `fd`; `data` and `count` are a write's bytes (for
// the content filter, Torn and the file size limit).
Verdict decide(int fd, unsigned kind, const void* data, std::size_t count, int& error,
               std::size_t& torn_length) {
  if (!armed.load(std::memory_order_acquire)) return Verdict::Pass;
  State& s = state();
  const std::lock_guard lock(s.mu);
  if ((s.calls & kind) == 0 || !names_target(fd, s.path)) return Verdict::Pass;
  if (kind == kWriteFaultWrite && !s.containing.empty() && !s.tripped &&
      (data == nullptr ||
       ::memmem(data, count, s.containing.data(), s.containing.size()) == nullptr)) {
    return Verdict::Pass;
  }
  if (s.after > 0) {
    --s.after;
    return Verdict::Pass;
  }
  if (s.error == kWriteFaultSigxfsz) {
    if (kind != kWriteFaultWrite || s.limit_lowered) return Verdict::Pass;
    // The kernel does the rest: a write past the limit raises SIGXFSZ and fails with EFBIG
    // (a write reaching across it is cut short at the limit first).
    struct stat info {};
    if (::fstat(fd, &info) != 0) return Verdict::Pass;
    rlimit lowered{};
    ::getrlimit(RLIMIT_FSIZE, &s.original_limit);
    lowered.rlim_cur = static_cast<rlim_t>(info.st_size) + (s.partial ? count / 2 : 0);
    lowered.rlim_max = s.original_limit.rlim_max;
    if (::setrlimit(RLIMIT_FSIZE, &lowered) == 0) s.limit_lowered = true;
    failures.fetch_add(1);
    s.tripped = true;
    return Verdict::Pass;
  }
  failures.fetch_add(1);
  s.tripped = true;
  error = s.error;
  if (s.partial && kind == kWriteFaultWrite && count > 1) {
    s.partial = false;
    torn_length = count / 2;
    return Verdict::Torn;
  }
  return Verdict::Fail;
}

unsigned parse_calls(const char* text) {
  if (text == nullptr || *text == '\0') return kWriteFaultWrite;
  unsigned calls = 0;
  const std::string list(text);
  if (list.find("write") != std::string::npos) calls |= kWriteFaultWrite;
  if (list.find("sync") != std::string::npos) calls |= kWriteFaultSync;
  if (list.find("truncate") != std::string::npos) calls |= kWriteFaultTruncate;
  return calls;
}

int parse_error(const char* text) {
  if (text == nullptr) return 0;
  const std::string name(text);
  if (name == "ENOSPC") return ENOSPC;
  if (name == "EIO") return EIO;
  if (name == "EFBIG") return EFBIG;
  if (name == "SIGXFSZ") return kWriteFaultSigxfsz;
  return std::atoi(text);
}

__attribute__((constructor)) void arm_from_environment() {
  const char* path = std::getenv("CRATON_WRITE_FAULT_PATH");
  const int error = parse_error(std::getenv("CRATON_WRITE_FAULT_ERRNO"));
  if (path == nullptr || error == 0) return;
  const char* after = std::getenv("CRATON_WRITE_FAULT_AFTER");
  const char* partial = std::getenv("CRATON_WRITE_FAULT_PARTIAL");
  craton_write_fault_arm(path, error, after != nullptr ? std::strtoul(after, nullptr, 10) : 0,
                         parse_calls(std::getenv("CRATON_WRITE_FAULT_CALLS")),
                         partial != nullptr && std::strcmp(partial, "1") == 0);
  if (const char* containing = std::getenv("CRATON_WRITE_FAULT_CONTAINING")) {
    craton_write_fault_only_containing(containing);
  }
}

// A write of `count` bytes: all of them forwarded, the torn part only, or none (errno set).
template <typename Forward>
ssize_t write_through(int fd, const void* buffer, size_t count, Forward forward) {
  int error = 0;
  std::size_t torn = 0;
  switch (decide(fd, kWriteFaultWrite, buffer, count, error, torn)) {
    case Verdict::Pass:
      return forward(count);
    case Verdict::Torn:
      return forward(torn);
    case Verdict::Fail:
      break;
  }
  errno = error;
  return -1;
}

}  // namespace

extern "C" {

void craton_write_fault_arm(const char* path, int error, unsigned long after, unsigned calls,
                            int partial) {
  State& s = state();
  const std::lock_guard lock(s.mu);
  s.path = canonical(path);
  s.error = error;
  s.after = after;
  s.calls = calls;
  s.partial = partial != 0;
  s.containing.clear();
  s.tripped = false;
  failures.store(0);
  armed.store(true, std::memory_order_release);
}

void craton_write_fault_only_containing(const char* text) {
  State& s = state();
  const std::lock_guard lock(s.mu);
  s.containing = text;
}

void craton_write_fault_disarm() {
  State& s = state();
  const std::lock_guard lock(s.mu);
  armed.store(false, std::memory_order_release);
  if (s.limit_lowered) ::setrlimit(RLIMIT_FSIZE, &s.original_limit);
  s.limit_lowered = false;
}

unsigned long craton_write_fault_failures() {
  return failures.load();
}

#define CRATON_WF_EXPORT __attribute__((visibility("default")))

CRATON_WF_EXPORT ssize_t write(int fd, const void* buffer, size_t count) {
  static const auto next = real<ssize_t (*)(int, const void*, size_t)>("write");
  return write_through(fd, buffer, count, [&](size_t n) { return next(fd, buffer, n); });
}

CRATON_WF_EXPORT ssize_t pwrite(int fd, const void* buffer, size_t count, off_t offset) {
  static const auto next = real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  return write_through(fd, buffer, count, [&](size_t n) { return next(fd, buffer, n, offset); });
}

CRATON_WF_EXPORT ssize_t pwrite64(int fd, const void* buffer, size_t count, off64_t offset) {
  static const auto next = real<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
  return write_through(fd, buffer, count, [&](size_t n) { return next(fd, buffer, n, offset); });
}

CRATON_WF_EXPORT ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  static const auto next = real<ssize_t (*)(int, const struct iovec*, int)>("writev");
  std::size_t count = 0;
  for (int i = 0; i < iovcnt; ++i) count += iov[i].iov_len;
  int error = 0;
  std::size_t torn = 0;
  // A torn writev is simply a failed one, and its content is not filtered: the trail never
  // uses writev.
  if (decide(fd, kWriteFaultWrite, nullptr, count, error, torn) == Verdict::Pass) {
    return next(fd, iov, iovcnt);
  }
  errno = error;
  return -1;
}

CRATON_WF_EXPORT int fsync(int fd) {
  static const auto next = real<int (*)(int)>("fsync");
  int error = 0;
  std::size_t torn = 0;
  if (decide(fd, kWriteFaultSync, nullptr, 0, error, torn) == Verdict::Pass) return next(fd);
  errno = error;
  return -1;
}

CRATON_WF_EXPORT int fdatasync(int fd) {
  static const auto next = real<int (*)(int)>("fdatasync");
  int error = 0;
  std::size_t torn = 0;
  if (decide(fd, kWriteFaultSync, nullptr, 0, error, torn) == Verdict::Pass) return next(fd);
  errno = error;
  return -1;
}

CRATON_WF_EXPORT int ftruncate(int fd, off_t length) {
  static const auto next = real<int (*)(int, off_t)>("ftruncate");
  int error = 0;
  std::size_t torn = 0;
  if (decide(fd, kWriteFaultTruncate, nullptr, 0, error, torn) == Verdict::Pass)
    return next(fd, length);
  errno = error;
  return -1;
}

CRATON_WF_EXPORT int ftruncate64(int fd, off64_t length) {
  static const auto next = real<int (*)(int, off64_t)>("ftruncate64");
  int error = 0;
  std::size_t torn = 0;
  if (decide(fd, kWriteFaultTruncate, nullptr, 0, error, torn) == Verdict::Pass)
    return next(fd, length);
  errno = error;
  return -1;
}

}  // extern "C"
