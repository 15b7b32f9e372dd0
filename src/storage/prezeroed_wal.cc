#include "storage/prezeroed_wal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "common/thread_setup.h"

namespace cohort::storage {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

// A plain WAL asks for a zeroed successor once it holds this much (tests and idle servers,
// which write little, never make a spare); a zeroed one when it is half full.
constexpr uint64_t kPlainWalBytesBeforeSpare = 1u << 20;
// Smaller zeroed files would be switched all the time.
constexpr uint64_t kMinZeroedFileBytes = 1u << 20;
// Zeroing pays only for small synced commits (see the header).
constexpr uint64_t kMaxBytesPerSync = 256u << 10;

IOStatus Errno(const std::string& what, const std::string& path, int err) {
  return IOStatus::IOError(what + " " + path + ": " + std::strerror(err));
}

// "<digits>.log", RocksDB's name for a write-ahead log (the info log is "LOG").
bool IsWalName(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string_view base(path);
  if (slash != std::string::npos) base.remove_prefix(slash + 1);
  if (base.size() <= 4 || !base.ends_with(".log")) return false;
  for (size_t i = 0; i + 4 < base.size(); ++i) {
    if (base[i] < '0' || base[i] > '9') return false;
  }
  return true;
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

IOStatus WriteAll(int fd, const char* data, size_t n, uint64_t offset, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("writing", path, errno);
    }
    data += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return IOStatus::OK();
}

// Writes `bytes` zeros to a new file at `path` and syncs it; false (file removed) on any
// error or when `stopping` becomes true. Each MiB is written out to the device before the
// next is written, so that the WAL's own small synced writes never queue behind more than
// a MiB of zeros (a single fdatasync of the whole file held them up for tens of ms).
bool WriteZeroFile(const std::string& path, uint64_t bytes, const std::atomic<bool>& stopping) {
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  static const std::vector<char> zeros(1u << 20, 0);
  bool ok = true;
  for (uint64_t off = 0; ok && off < bytes; off += zeros.size()) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(zeros.size(), bytes - off));
    ok = !stopping.load(std::memory_order_relaxed) &&
         WriteAll(fd, zeros.data(), n, off, path).ok() &&
         ::sync_file_range(fd, static_cast<off_t>(off), static_cast<off_t>(n),
                           SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                               SYNC_FILE_RANGE_WAIT_AFTER) == 0;
  }
  ok = ok && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok) ::unlink(path.c_str());
  return ok;
}

// A WAL file written with pwrite at increasing offsets. When it began as a zeroed spare, its
// first `usage->zeroed` bytes are overwritten in place (no size change to sync); Close cuts
// the unused zeros off.
class WalFile final : public rocksdb::FSWritableFile {
 public:
  WalFile(int fd, std::string path, std::shared_ptr<PrezeroedWalFileSystem::Usage> usage,
          PrezeroedWalFileSystem* fs)
      : fd_(fd), path_(std::move(path)), usage_(std::move(usage)), fs_(fs) {}
  ~WalFile() override { CloseFd().PermitUncheckedError(); }

  IOStatus Append(const Slice& data, const IOOptions&, IODebugContext*) override {
    return AppendAt(data, usage_->written.load(std::memory_order_relaxed));
  }
  IOStatus Append(const Slice& data, const IOOptions& o, const rocksdb::DataVerificationInfo&,
                  IODebugContext* dbg) override {
    return Append(data, o, dbg);
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions&,
                            IODebugContext*) override {
    return AppendAt(data, offset);
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            const rocksdb::DataVerificationInfo&, IODebugContext* dbg) override {
    return PositionedAppend(data, offset, o, dbg);
  }
  IOStatus Truncate(uint64_t size, const IOOptions&, IODebugContext*) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return Errno("truncating", path_, errno);
    usage_->written.store(size, std::memory_order_relaxed);
    return IOStatus::OK();
  }
  IOStatus Close(const IOOptions&, IODebugContext*) override { return CloseFd(); }
  IOStatus Flush(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
  IOStatus Sync(const IOOptions&, IODebugContext*) override {
    usage_->syncs.fetch_add(1, std::memory_order_relaxed);
    if (::fdatasync(fd_) != 0) return Errno("syncing", path_, errno);
    return IOStatus::OK();
  }
  IOStatus Fsync(const IOOptions&, IODebugContext*) override {
    usage_->syncs.fetch_add(1, std::memory_order_relaxed);
    if (::fsync(fd_) != 0) return Errno("syncing", path_, errno);
    return IOStatus::OK();
  }
  bool IsSyncThreadSafe() const override { return true; }
  uint64_t GetFileSize(const IOOptions&, IODebugContext*) override {
    return usage_->written.load(std::memory_order_relaxed);
  }
  // The space is either zeroed already or appended plainly: nothing to preallocate.
  IOStatus Allocate(uint64_t, uint64_t, const IOOptions&, IODebugContext*) override {
    return IOStatus::OK();
  }

 private:
  IOStatus AppendAt(const Slice& data, uint64_t offset) {
    IOStatus s = WriteAll(fd_, data.data(), data.size(), offset, path_);
    if (!s.ok()) return s;
    uint64_t end = offset + data.size();
    if (end > usage_->written.load(std::memory_order_relaxed)) {
      usage_->written.store(end, std::memory_order_relaxed);
    }
    fs_->NoteProgress(usage_.get());
    return IOStatus::OK();
  }

  IOStatus CloseFd() {
    if (fd_ < 0) return IOStatus::OK();
    IOStatus s;
    const uint64_t written = usage_->written.load(std::memory_order_relaxed);
    if (usage_->zeroed > written && ::ftruncate(fd_, static_cast<off_t>(written)) != 0) {
      s = Errno("truncating", path_, errno);
    }
    if (::close(fd_) != 0 && s.ok()) s = Errno("closing", path_, errno);
    fd_ = -1;
    return s;
  }

  int fd_;
  const std::string path_;
  const std::shared_ptr<PrezeroedWalFileSystem::Usage> usage_;
  PrezeroedWalFileSystem* const fs_;
};

}  // namespace

PrezeroedWalFileSystem::PrezeroedWalFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base,
                                               uint64_t file_bytes)
    : rocksdb::FileSystemWrapper(base),
      file_bytes_(file_bytes == 0 ? 0 : std::max<uint64_t>(file_bytes, kMinZeroedFileBytes)) {
  if (file_bytes_ > 0) {
    thread_ = std::thread([this] {
      SetThreadName("cohort-walspare");
      LowerThreadPriority(10);  // housekeeping: never ahead of the commits it is for
      MakeSpares();
    });
  }
}

PrezeroedWalFileSystem::~PrezeroedWalFileSystem() {
  {
    std::lock_guard l(mu_);
    stop_ = true;
    stopping_.store(true);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (spare_ready_) ::unlink(SparePath().c_str());
}

rocksdb::IOStatus PrezeroedWalFileSystem::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (file_bytes_ == 0 || !IsWalName(fname)) {
    return target()->NewWritableFile(fname, options, result, dbg);
  }
  auto usage = std::make_shared<Usage>();
  int fd = -1;
  std::lock_guard l(mu_);
  const std::string dir = DirOf(fname);
  if (dir_.empty()) {
    dir_ = dir;
    ::unlink(SparePath().c_str());  // left by a process that was killed; made again on demand
  }
  if (spare_ready_ && dir == dir_) {
    spare_ready_ = false;
    if (::rename(SparePath().c_str(), fname.c_str()) == 0) {
      fd = ::open(fname.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd >= 0) usage->zeroed = file_bytes_;
    } else {
      ::unlink(SparePath().c_str());
    }
  }
  if (fd < 0) fd = ::open(fname.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("creating", fname, errno);
  (usage->zeroed ? zeroed_used_ : plain_used_).fetch_add(1);
  current_ = usage;
  switch_wanted_.store(false, std::memory_order_relaxed);
  *result = std::make_unique<WalFile>(fd, fname, std::move(usage), this);
  return rocksdb::IOStatus::OK();
}

void PrezeroedWalFileSystem::NoteProgress(Usage* usage) {
  const uint64_t written = usage->written.load(std::memory_order_relaxed);
  if (usage->zeroed == 0 ? written < kPlainWalBytesBeforeSpare : written < usage->zeroed / 2) {
    return;
  }
  const bool switch_now = usage->zeroed == 0 || written >= usage->zeroed / 4 * 3;
  if (usage->spare_asked.load(std::memory_order_relaxed) &&
      (!switch_now || usage->needs_switch.load(std::memory_order_relaxed))) {
    return;  // nothing new to say
  }
  const uint64_t syncs = usage->syncs.load(std::memory_order_relaxed);
  const bool small_commits = syncs > 0 && written / syncs <= kMaxBytesPerSync;
  std::lock_guard l(mu_);
  if (current_.get() != usage) return;
  if (!usage->spare_asked.exchange(true) && small_commits && !spare_ready_) {
    want_spare_ = true;
    cv_.notify_one();
  }
  if (switch_now && !usage->needs_switch.exchange(true)) UpdateSwitchWanted();
}

void PrezeroedWalFileSystem::UpdateSwitchWanted() {
  if (spare_ready_ && current_ && current_->needs_switch.load()) {
    switch_wanted_.store(true, std::memory_order_relaxed);
  }
}

void PrezeroedWalFileSystem::MakeSpares() {
  std::unique_lock l(mu_);
  for (;;) {
    cv_.wait(l, [&] { return stop_ || (want_spare_ && !spare_ready_ && !dir_.empty()); });
    if (stop_) return;
    const std::string path = SparePath();
    l.unlock();
    const bool ok = WriteZeroFile(path, file_bytes_, stopping_);
    l.lock();
    want_spare_ = false;
    if (ok) {
      spare_ready_ = true;
      UpdateSwitchWanted();
    }
  }
}

}  // namespace cohort::storage
