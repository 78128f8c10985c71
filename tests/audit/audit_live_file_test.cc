// SPDX-License-Identifier: Apache-2.0
// The live trail file under a running writer: renamed or deleted (the writer must stop rather
// than fork the chain), torn by a crash (cut back at the next start), and over a file size
// limit with SIGXFSZ at its default action (fail-closed, not killed).
#include "audit_test_util.h"

#include "audit/tail_anchor.h"

#include <csignal>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;

TEST(AuditLiveFile, RenamedTrailStopsTheWriterSoTheChainCannotFork) {
  AuditDir dir;
  auto a = dir.open(dir.config());
  ASSERT_THAT(a->record(sample_event("before")), IsOk());
  ASSERT_THAT(a->flush(), IsOk());
  const auto moved = dir / "audit.jsonl.moved";
  std::filesystem::rename(dir.trail(), moved);
  const auto moved_lines = read_lines(moved);

  // A second process starts a new file at the path, continuing from the anchor.
  auto b = dir.open(dir.config());
  ASSERT_THAT(b->record(sample_event("b-side")), IsOk());
  ASSERT_THAT(b->flush(), IsOk());

  // The first writer must notice before its next batch, and never write again.
  (void)a->record(sample_event("a-after-rename"));
  const auto flushed = a->flush();
  ASSERT_THAT(flushed, HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(flushed.error().message(), HasSubstr("renamed"));
  EXPECT_THAT(a->ready(), HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(a->record(sample_event("refused")), HasErrorCode(ErrorCode::AuditUnavailable));
  a.reset();
  b.reset();
  EXPECT_EQ(read_lines(moved), moved_lines) << "the old writer wrote into the renamed file";
  // The renamed file and the new one are one chain.
  const auto report = dir.verify({moved, dir.trail()});
  EXPECT_TRUE(report.intact) << report.problem << " at " << report.file_index << ":" << report.line;
  EXPECT_EQ(read_file(dir.trail()).find("a-after-rename"), std::string::npos);
}

TEST(AuditLiveFile, DeletedTrailStopsTheWriter) {
  AuditDir dir;
  auto a = dir.open(dir.config());
  ASSERT_THAT(a->record(sample_event("before")), IsOk());
  ASSERT_THAT(a->flush(), IsOk());
  const std::string anchor = read_file(audit::anchor_path(dir.trail()));
  std::filesystem::remove(dir.trail());
  (void)a->record(sample_event("a-after-delete"));
  const auto flushed = a->flush();
  ASSERT_THAT(flushed, HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(flushed.error().message(), HasSubstr("deleted"));
  a.reset();
  // The anchor still names the last record the deleted file held: a new file continues there.
  EXPECT_EQ(read_file(audit::anchor_path(dir.trail())), anchor);
  EXPECT_FALSE(std::filesystem::exists(dir.trail()));
  { auto b = dir.open(dir.config()); }
  const auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr(R"("seq":3,"op":"genesis")"));
}

TEST(AuditLiveFile, TornLastLineFromACrashIsCutOffAtTheNextStart) {
  AuditDir dir;
  {
    auto log = dir.open(dir.config());
    ASSERT_THAT(log->record(sample_event("kept")), IsOk());
  }
  const std::string intact = read_file(dir.trail());
  // A crash in the middle of a write: part of the next record, no newline.
  const std::string fragment = R"({"ts":"2026-01-01T00:00:00.000000Z","seq":3,"op":"si)";
  write_file(dir.trail(), intact + fragment);
  {
    auto log = dir.open(dir.config());
    ASSERT_NE(log, nullptr);
    ASSERT_THAT(log->record(sample_event("after")), IsOk());
  }
  const auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[2], HasSubstr(R"("op":"restart")"));
  EXPECT_THAT(lines[2], HasSubstr(fmt::format("cut off {} bytes", fragment.size())));
  EXPECT_TRUE(read_file(dir.trail()).starts_with(intact));
  const auto report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem << " at line " << report.line;
}

TEST(AuditLiveFile, TrailThatIsOnlyATornGenesisStartsAgain) {
  AuditDir dir;
  write_file(dir.trail(), R"({"ts":"2026-01-01T00:00:00.000000Z","seq":1,"op":"gen)");
  { auto log = dir.open(dir.config()); }
  const auto lines = read_lines(dir.trail());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr(R"("seq":1,"op":"genesis")"));
  EXPECT_TRUE(dir.verify().intact);
}

// Past RLIMIT_FSIZE the kernel sends SIGXFSZ, whose default action kills the process. The child
// keeps that default: the trail must fail closed instead, with no half record in the file.
int run_sigxfsz_child(const AuditDir& dir) {
  std::signal(SIGXFSZ, SIG_DFL);
  auto config = dir.config();
  config.durability = AuditDurability::PerRecord;
  auto opened = dir.try_open(config);
  if (!opened) return 10;
  auto& log = **opened;
  rlimit limit{};
  if (::getrlimit(RLIMIT_FSIZE, &limit) != 0) return 11;
  limit.rlim_cur = std::filesystem::file_size(dir.trail()) + 700;  // one record and a half
  if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 12;
  for (int i = 0; i < 10; ++i) {
    if (!log.record(sample_event("limited" + std::to_string(i)))) return 0;
  }
  return 13;  // never refused
}

TEST(AuditLiveFile, FileSizeLimitFailsClosedInsteadOfKillingTheProcess) {
  AuditDir dir;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(run_sigxfsz_child(dir));
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_FALSE(WIFSIGNALED(status)) << "killed by signal " << WTERMSIG(status);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "child failed at step " << WEXITSTATUS(status);
  const std::string text = read_file(dir.trail());
  EXPECT_TRUE(text.ends_with('\n')) << "a half record was left in the file";
  const auto report = dir.verify();
  EXPECT_TRUE(report.intact) << report.problem << " at line " << report.line;
}

}  // namespace
}  // namespace craton::hsm::testing
