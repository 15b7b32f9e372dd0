#include "common/email.h"

#include <gtest/gtest.h>

namespace cohort {
namespace {

TEST(EmailTest, Normalizes) {
  EXPECT_EQ(NormalizeEmail("dana.ortiz@example.org"), "dana.ortiz@example.org");
  EXPECT_EQ(NormalizeEmail("Sam Reyes <SAM.reyes@example.com>"), "sam.reyes@example.com");
  EXPECT_EQ(NormalizeEmail("  Lee.Park@Example.NET "), "lee.park@example.net");
  EXPECT_EQ(NormalizeEmail("\"Park, Lee\" <lee@example.net>"), "lee@example.net");
  EXPECT_EQ(EmailDomain("Sam <sam@Example.com>"), "example.com");
}

TEST(EmailTest, RejectsNonAddresses) {
  EXPECT_EQ(NormalizeEmail(""), "");
  EXPECT_EQ(NormalizeEmail("+15555550123"), "");
  EXPECT_EQ(NormalizeEmail("https://hooks.example.org/cio"), "");
  EXPECT_EQ(NormalizeEmail("a@b"), "");
  EXPECT_EQ(NormalizeEmail("@example.com"), "");
  EXPECT_EQ(NormalizeEmail("a@@example.com"), "");
  EXPECT_EQ(NormalizeEmail("a b@example.com"), "");
  EXPECT_EQ(NormalizeEmail("Name <>"), "");
  EXPECT_EQ(NormalizeEmail("a@example.com."), "");
  EXPECT_EQ(EmailDomain("nope"), "");
  EXPECT_EQ(NormalizeEmail("https://user@www.example.com:8443/path"), "");
  EXPECT_EQ(NormalizeEmail("user@example.com/x"), "");
}

}  // namespace
}  // namespace cohort
