#include "common/thread_setup.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace cohort {

void SetThreadName(const std::string& name) {
  // Best effort: a name that cannot be set only makes diagnostics less readable.
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

int ThreadNice() {
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  return errno == 0 ? nice : 0;
}

void LowerThreadPriority(int by) {
  if (by <= 0) return;
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), std::min(19, ThreadNice() + by));
}

}  // namespace cohort
