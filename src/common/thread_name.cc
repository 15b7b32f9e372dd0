#include "common/thread_name.h"

#include <pthread.h>

namespace cohort {

void SetThreadName(const std::string& name) {
  // Best effort: a name that cannot be set only makes diagnostics less readable.
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace cohort
