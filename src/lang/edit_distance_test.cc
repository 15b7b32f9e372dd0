#include "lang/edit_distance.h"

#include <gtest/gtest.h>

namespace cohort::lang {
namespace {

TEST(EditDistanceTest, Distances) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("email", "emial"), 2u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(EditDistanceTest, Nearest) {
  EXPECT_EQ(Nearest("emial", {"age", "email", "emails"}), "email");
  EXPECT_EQ(Nearest("zzzzzz", {"age", "email"}), std::nullopt);
  EXPECT_EQ(Nearest("x", {}), std::nullopt);
}

}  // namespace
}  // namespace cohort::lang
