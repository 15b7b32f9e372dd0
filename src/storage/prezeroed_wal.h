// PrezeroedWalFileSystem: RocksDB write-ahead-log files whose space is written (with zeros)
// and synced before the log uses it, so that each synced group commit is cheaper.
//
// Why: an `fdatasync` after appending to a file must also write the file's new size (the
// inode; with a journal, a journal transaction), one more write and device round trip.
// Overwriting blocks that are already part of the file needs only the data write and the
// cache flush. On the benchmark VM this cut a synced ~6 KB commit from ~160 to ~105 µs of
// wall time and from ~65 to ~44 µs of CPU (bench/storage; docs/benchmarks.md).
//
// How: a background thread writes a spare file of `file_bytes` zeros next to the log and
// syncs it. When RocksDB creates a new WAL, the spare is renamed to the WAL's name and RocksDB
// writes into it from offset 0. RocksDB's log reader skips zero-filled blocks ("preallocated
// regions", the same thing its mmap writer leaves), so recovery after a crash reads the
// records and then the zero tail, and stops. Closing a WAL truncates it to what was written.
// Without a spare (the first WAL after open, or if the disk was too slow), a WAL is a plain
// appended file, which is correct, only slower; TakeSwitchWanted() then tells the caller that
// a memtable flush (which starts a new WAL) would move the log onto a zeroed file.
//
// Zeroing only pays when commits are small: a spare is made only while the WAL is synced at
// least every 256 KiB on average (single events: a few KiB per sync; bodies of
// 1,000 events: megabytes, where the extra writes of zeros would cost more than they save).
//
// Only storage/db.cc uses this header; it is the one place that includes RocksDB.
#pragma once

#include <rocksdb/file_system.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace cohort::storage {

class PrezeroedWalFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  // `file_bytes`: size of each zeroed file (a WAL that outgrows it continues as plain appends).
  PrezeroedWalFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base, uint64_t file_bytes);
  ~PrezeroedWalFileSystem() override;  // stops the background thread, removes an unused spare

  static const char* kClassName() { return "CohortPrezeroedWal"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& fname,
                                    const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;

  // True (once per occasion) when the WAL being written is a plain file or has used most of
  // its zeroed space, and a zeroed spare is ready: starting a new WAL now would use it.
  bool TakeSwitchWanted() { return switch_wanted_.exchange(false, std::memory_order_relaxed); }

  // WAL files created from a zeroed spare / as plain files (for tests and metrics).
  uint64_t ZeroedFilesUsed() const { return zeroed_used_.load(); }
  uint64_t PlainFilesUsed() const { return plain_used_.load(); }

  // Progress of one WAL file, shared by the file and this object.
  struct Usage {
    std::atomic<uint64_t> written{0};
    std::atomic<uint64_t> syncs{0};
    uint64_t zeroed = 0;                     // bytes of the file written with zeros and synced
    std::atomic<bool> spare_asked{false};    // NoteProgress asked for the next zeroed file
    std::atomic<bool> needs_switch{false};   // written past the point where a switch pays
  };
  // Called by a WAL file after each append.
  void NoteProgress(Usage* usage);

 private:
  void MakeSpares();
  void UpdateSwitchWanted();  // REQUIRES: mu_ held
  std::string SparePath() const { return dir_ + "/COHORT-WAL-SPARE"; }

  const uint64_t file_bytes_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string dir_;                       // GUARDED_BY(mu_); where the WALs are, once known
  bool want_spare_ = false;               // GUARDED_BY(mu_)
  bool spare_ready_ = false;              // GUARDED_BY(mu_)
  bool stop_ = false;                     // GUARDED_BY(mu_)
  std::atomic<bool> stopping_{false};     // stop_, readable without mu_
  std::shared_ptr<Usage> current_;        // GUARDED_BY(mu_); the newest WAL
  std::atomic<bool> switch_wanted_{false};
  std::atomic<uint64_t> zeroed_used_{0}, plain_used_{0};
  std::thread thread_;
};

}  // namespace cohort::storage
