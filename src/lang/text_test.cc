#include "lang/text.h"

#include <gtest/gtest.h>

namespace cohort::lang {
namespace {

TEST(TextTest, CaseAndTrim) {
  EXPECT_TRUE(EqualsIgnoreCase("SeLeCt", "select"));
  EXPECT_FALSE(EqualsIgnoreCase("select", "selects"));
  EXPECT_EQ(AsciiLower("ÀBc"), "Àbc");  // non-ASCII bytes pass through
  EXPECT_EQ(AsciiUpper("grüße"), "GRüßE");
  EXPECT_EQ(TrimSpace(" \t a b \n"), "a b");
  EXPECT_EQ(TrimSpace("   "), "");
}

}  // namespace
}  // namespace cohort::lang
