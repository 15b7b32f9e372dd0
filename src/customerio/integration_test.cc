#include "customerio/integration.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace cohort::customerio {
namespace {

// The golden file proves what the default query produces; this keeps its text and the
// product's text the same.
TEST(IntegrationTest, DefaultQueryMatchesGoldenFile) {
  std::ifstream f(COHORT_SOURCE_DIR "/tests/golden/mapping/customerio_default.test");
  ASSERT_TRUE(f) << "golden file missing";
  std::stringstream ss;
  ss << f.rdbuf();
  std::string golden = ss.str();
  size_t start = golden.find("statement ok\n");
  ASSERT_NE(start, std::string::npos);
  start += 13;
  size_t end = golden.find("----", start);
  EXPECT_EQ(golden.substr(start, end - start), DefaultQueryText());
}

TEST(IntegrationTest, CatalogueAndWebhookUrl) {
  const auto& d = CustomerIoIntegration();
  EXPECT_EQ(d.id, "customerio");
  ASSERT_EQ(d.workflows.size(), 1u);
  EXPECT_EQ(d.workflows[0].name, "Import Webhook Events");
  EXPECT_EQ(d.workflows[0].options[0].label, "I have set up the Customer.io webhook");
  EXPECT_TRUE(d.workflows[0].options[0].required);
  EXPECT_EQ(WebhookUrl("https://cdp.example.com/", "coh_abc"),
            "https://cdp.example.com/collect/json/customerio?key=coh_abc");
  EXPECT_EQ(WebhookUrl("http://h", "a b&c"), "http://h/collect/json/customerio?key=a%20b%26c");
}

}  // namespace
}  // namespace cohort::customerio
