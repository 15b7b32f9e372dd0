// The zeroed write-ahead-log files (storage/prezeroed_wal.h), through storage::Db: small
// synced commits move the log onto zeroed files, large ones do not, a clean close leaves no
// zeros behind, and a process killed while writing into a zeroed file loses nothing that was
// synced (RocksDB's recovery reads the records and skips the zero tail).
#include "storage/prezeroed_wal.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "common/testing/temp_path.h"
#include "storage/db.h"

namespace cohort::storage {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kZeroedBytes = 2u << 20;
constexpr int kDoneOnZeroed = -1, kDonePlain = -2;

std::string TempDir() {
  return testing::UniqueTempPath("cohort-wal-test-");
}

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "k%08d", i);
  return buf;
}

// Writes `count` synced batches of one `value_bytes` value each.
void WriteSynced(Db* db, int first, int count, size_t value_bytes) {
  for (int i = first; i < first + count; ++i) {
    WriteBatch b;
    b.Put(Family::kLog, Key(i), std::string(value_bytes, static_cast<char>('a' + i % 26)));
    ASSERT_TRUE(db->Write(&b, /*sync=*/true).ok());
  }
}

struct WalFiles {
  int zeroed_size = 0;  // .log files exactly kZeroedBytes long (a zeroed WAL still open)
  int logs = 0;
  bool spare = false;
};

WalFiles Inspect(const std::string& dir) {
  WalFiles w;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name == "COHORT-WAL-SPARE") w.spare = true;
    if (name.size() > 4 && name.ends_with(".log")) {
      ++w.logs;
      if (e.file_size() == kZeroedBytes) ++w.zeroed_size;
    }
  }
  return w;
}

TEST(PrezeroedWalTest, SmallSyncedCommitsMoveTheLogOntoZeroedFiles) {
  const std::string dir = TempDir();
  {
    auto db = Db::Open({.path = dir, .wal_zeroed_file_bytes = kZeroedBytes});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    // 4 KiB per sync: past the first (plain) WAL's 1 MiB, a spare is made; the next write
    // after it is ready starts a new WAL on it.
    bool on_zeroed = false;
    for (int round = 0; round < 200 && !on_zeroed; ++round) {
      WriteSynced(db->get(), round * 64, 64, 4096);
      on_zeroed = Inspect(dir).zeroed_size > 0;
      if (!on_zeroed) usleep(2000);  // let the spare thread work
    }
    EXPECT_TRUE(on_zeroed) << "no WAL file of the zeroed size appeared";
    auto v = (*db)->Get(Family::kLog, Key(5));
    ASSERT_TRUE(v.ok() && v->has_value());
  }
  // Closed: every WAL is cut to what was written, and no spare is left behind.
  WalFiles after = Inspect(dir);
  EXPECT_EQ(after.zeroed_size, 0);
  EXPECT_FALSE(after.spare);
  auto db = Db::Open({.path = dir, .wal_zeroed_file_bytes = kZeroedBytes});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto v = (*db)->Get(Family::kLog, Key(5));
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ(**v, std::string(4096, 'f'));
  db->reset();
  fs::remove_all(dir);
}

TEST(PrezeroedWalTest, LargeCommitsStayOnPlainFiles) {
  const std::string dir = TempDir();
  auto db = Db::Open({.path = dir, .wal_zeroed_file_bytes = kZeroedBytes});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  WriteSynced(db->get(), 0, 12, 512u << 10);  // 6 MiB in syncs of 512 KiB
  usleep(50000);
  WriteSynced(db->get(), 100, 2, 512u << 10);
  WalFiles w = Inspect(dir);
  EXPECT_EQ(w.zeroed_size, 0);
  EXPECT_FALSE(w.spare);
  db->reset();
  fs::remove_all(dir);
}

TEST(PrezeroedWalTest, OffWritesPlainFiles) {
  const std::string dir = TempDir();
  auto db = Db::Open({.path = dir, .wal_zeroed_file_bytes = 0});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  WriteSynced(db->get(), 0, 600, 4096);
  usleep(50000);
  WriteSynced(db->get(), 1000, 10, 4096);
  EXPECT_FALSE(Inspect(dir).spare);
  EXPECT_EQ(Inspect(dir).zeroed_size, 0);
  db->reset();
  fs::remove_all(dir);
}

// A child process writes synced batches into a zeroed WAL and is killed with SIGKILL (no
// close, so the file keeps its zero tail); every batch it reported synced must be there.
TEST(PrezeroedWalTest, SigkillWhileWritingIntoAZeroedFileLosesNothingSynced) {
  const std::string dir = TempDir();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto db = Db::Open({.path = dir, .wal_zeroed_file_bytes = kZeroedBytes});
    if (!db.ok()) _exit(2);
    int written = 0;
    bool on_zeroed = false;
    for (int round = 0; round < 400; ++round) {
      for (int i = 0; i < 16; ++i, ++written) {
        WriteBatch b;
        b.Put(Family::kLog, Key(written), std::string(4096, static_cast<char>('a' + written % 26)));
        if (!(*db)->Write(&b, true).ok()) _exit(3);
      }
      // Tell the parent how many are synced (a 4-byte write is atomic on a pipe).
      if (write(fds[1], &written, sizeof written) != sizeof written) _exit(4);
      if (!on_zeroed) {
        on_zeroed = Inspect(dir).zeroed_size > 0;
        if (!on_zeroed) usleep(2000);
      } else if (round % 8 == 0) {
        break;  // some rounds written into the zeroed file
      }
    }
    const int done = on_zeroed ? kDoneOnZeroed : kDonePlain;
    if (write(fds[1], &done, sizeof done) != sizeof done) _exit(5);
    pause();  // killed here, in the middle of its life: nothing closed
    _exit(0);
  }
  close(fds[1]);
  int synced = 0, last = 0;
  for (;;) {
    int value;
    size_t have = 0;
    while (have < sizeof value) {
      ssize_t n = read(fds[0], reinterpret_cast<char*>(&value) + have, sizeof value - have);
      if (n <= 0) break;
      have += static_cast<size_t>(n);
    }
    if (have < sizeof value) break;  // the child died early
    if (value < 0) {
      last = value;
      break;
    }
    synced = value;
  }
  kill(pid, SIGKILL);
  int st = 0;
  waitpid(pid, &st, 0);
  close(fds[0]);
  ASSERT_EQ(last, kDoneOnZeroed) << "the child never wrote into a zeroed WAL";
  ASSERT_GT(synced, 0);
  EXPECT_GT(Inspect(dir).zeroed_size, 0) << "the killed process left no zero-tailed WAL";

  auto db = Db::Open({.path = dir, .wal_zeroed_file_bytes = kZeroedBytes});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  for (int i = 0; i < synced; ++i) {
    auto v = (*db)->Get(Family::kLog, Key(i));
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(v->has_value()) << "synced batch " << i << " of " << synced << " is missing";
    ASSERT_EQ(**v, std::string(4096, static_cast<char>('a' + i % 26)));
  }
  // Writing on after the recovery works, and survives another reopen.
  WriteSynced(db->get(), synced, 10, 100);
  db->reset();
  auto again = Db::Open({.path = dir, .wal_zeroed_file_bytes = kZeroedBytes});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto v = (*again)->Get(Family::kLog, Key(synced + 9));
  ASSERT_TRUE(v.ok() && v->has_value());
  again->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cohort::storage
