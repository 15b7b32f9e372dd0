#include "common/thread_setup.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <algorithm>
#include <thread>

namespace cohort {
namespace {

TEST(ThreadSetupTest, LowersOnlyTheCallingThreadAndWhatItStarts) {
  const int main_nice = ThreadNice();
  int before = 0, after = 0, unchanged = 0, inherited = 0, capped = 0;
  std::thread t([&] {
    before = ThreadNice();
    LowerThreadPriority(0);
    unchanged = ThreadNice();
    LowerThreadPriority(3);
    after = ThreadNice();
    std::thread child([&] { inherited = ThreadNice(); });
    child.join();
    LowerThreadPriority(100);
    capped = ThreadNice();
  });
  t.join();
  EXPECT_EQ(unchanged, before);
  EXPECT_EQ(after, std::min(19, before + 3));
  EXPECT_EQ(inherited, after);
  EXPECT_EQ(capped, 19);
  EXPECT_EQ(ThreadNice(), main_nice) << "another thread's nice value changed";
}

TEST(ThreadSetupTest, NamesTheThreadCutTo15Characters) {
  char name[32] = {};
  std::thread t([&] {
    SetThreadName("cohort-a-very-long-thread-name");
    pthread_getname_np(pthread_self(), name, sizeof name);
  });
  t.join();
  EXPECT_STREQ(name, "cohort-a-very-l");
}

}  // namespace
}  // namespace cohort
