// What one synced commit costs on this disk: `fdatasync` after appending to a growing file
// (a plain RocksDB WAL) against `fdatasync` after overwriting space that was written with
// zeros and synced beforehand (a WAL made from a zeroed spare, src/storage/prezeroed_wal.h).
//
//   fdatasync_bench [--dir=DIR] [--syncs=N] [--bytes=B]
//
// For each mode it writes N chunks of B bytes, each followed by fdatasync, and prints one
// JSON line: wall time and CPU per sync (the calling thread, and the whole machine from
// /proc/stat, which includes kernel threads that serve the I/O). It then reads the file back
// and checks every chunk against what was written (exit 1 on a mismatch).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "../common/flags.h"

namespace {

double NowUs(clockid_t clock) {
  timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

// Busy jiffies of the whole machine (everything but idle and iowait).
long long BusyJiffies() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  long long v, busy = 0;
  f >> cpu;
  for (int i = 0; i < 10 && f >> v; ++i) {
    if (i != 3 && i != 4) busy += v;
  }
  return busy;
}

char ChunkByte(uint64_t i) { return static_cast<char>('a' + i % 26); }

bool Run(const std::string& mode, const std::string& dir, uint64_t syncs, uint64_t bytes) {
  const std::string path = dir + "/cohort-fdatasync-bench.tmp";
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::perror(path.c_str());
    return false;
  }
  if (mode == "overwrite_zeroed") {
    std::vector<char> zeros(1u << 20, 0);
    for (uint64_t off = 0; off < syncs * bytes; off += zeros.size()) {
      if (::pwrite(fd, zeros.data(), zeros.size(), static_cast<off_t>(off)) < 0) return false;
    }
    if (::fdatasync(fd) != 0) return false;
  }
  std::vector<char> chunk(bytes);
  const long ticks = sysconf(_SC_CLK_TCK);
  const long long busy0 = BusyJiffies();
  const double wall0 = NowUs(CLOCK_MONOTONIC), cpu0 = NowUs(CLOCK_THREAD_CPUTIME_ID);
  for (uint64_t i = 0; i < syncs; ++i) {
    std::fill(chunk.begin(), chunk.end(), ChunkByte(i));
    if (::pwrite(fd, chunk.data(), bytes, static_cast<off_t>(i * bytes)) !=
            static_cast<ssize_t>(bytes) ||
        ::fdatasync(fd) != 0) {
      std::perror("write/fdatasync");
      return false;
    }
  }
  const double wall = NowUs(CLOCK_MONOTONIC) - wall0;
  const double cpu = NowUs(CLOCK_THREAD_CPUTIME_ID) - cpu0;
  const double machine_us = (BusyJiffies() - busy0) * 1e6 / ticks;
  bool ok = true;
  for (uint64_t i = 0; i < syncs && ok; ++i) {
    ok = ::pread(fd, chunk.data(), bytes, static_cast<off_t>(i * bytes)) ==
         static_cast<ssize_t>(bytes);
    for (char c : chunk) ok = ok && c == ChunkByte(i);
  }
  ::close(fd);
  ::unlink(path.c_str());
  std::printf(
      "{\"bench\":\"fdatasync\",\"mode\":\"%s\",\"syncs\":%llu,\"bytes_per_sync\":%llu,"
      "\"wall_us_per_sync\":%.1f,\"thread_cpu_us_per_sync\":%.1f,"
      "\"machine_cpu_us_per_sync\":%.1f,\"verified\":%s}\n",
      mode.c_str(), static_cast<unsigned long long>(syncs),
      static_cast<unsigned long long>(bytes), wall / syncs, cpu / syncs, machine_us / syncs,
      ok ? "true" : "false");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = ".";
  uint64_t syncs = 3000, bytes = 6000;
  for (int i = 1; i < argc; ++i) {
    if (!cohort::bench::ParseFlag(argv[i], "--dir", &dir) &&
        !cohort::bench::ParseFlag(argv[i], "--syncs", &syncs) &&
        !cohort::bench::ParseFlag(argv[i], "--bytes", &bytes)) {
      std::fprintf(stderr, "usage: fdatasync_bench [--dir=DIR] [--syncs=N] [--bytes=B]\n");
      return 2;
    }
  }
  if (syncs == 0 || bytes == 0) {
    std::fprintf(stderr, "--syncs and --bytes must be positive\n");
    return 2;
  }
  // Alternating, twice each, so that a change in the machine's load shows as disagreement.
  bool ok = true;
  for (int round = 0; round < 2; ++round) {
    ok = Run("append", dir, syncs, bytes) && ok;
    ok = Run("overwrite_zeroed", dir, syncs, bytes) && ok;
  }
  return ok ? 0 : 1;
}
