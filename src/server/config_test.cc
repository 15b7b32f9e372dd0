#include "server/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace cohort::server {
namespace {

TEST(ConfigTest, DefaultsAndPrecedence) {
  auto d = LoadConfig("", {}, {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->listen, "127.0.0.1:8080");
  EXPECT_EQ(d->data, "./cohort-data");
  EXPECT_EQ(d->body_limit_bytes, 10 * 1024 * 1024);
  std::string path = (std::filesystem::temp_directory_path() / "cohort-config-test.toml").string();
  {
    std::ofstream f(path);
    f << "listen = \"0.0.0.0:9000\"\nbody_limit_bytes = 2048\nio_threads = 3\n";
  }
  auto c = LoadConfig(path, {{"COHORT_IO_THREADS", "5"}, {"COHORT_LISTEN", "127.0.0.1:9001"}},
                      {{"listen", "127.0.0.1:9002"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen, "127.0.0.1:9002");  // flag beats env beats file
  EXPECT_EQ(c->io_threads, 5);              // env beats file
  EXPECT_EQ(c->body_limit_bytes, 2048);     // file beats default
  auto hp = c->ListenHostPort();
  EXPECT_EQ(hp->second, 9002);
  std::filesystem::remove(path);
}

TEST(ConfigTest, ErrorsNameTheOption) {
  auto bad = LoadConfig("", {{"COHORT_BODY_LIMIT_BYTES", "lots"}}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("COHORT_BODY_LIMIT_BYTES"), std::string::npos);
  auto unknown = LoadConfig("", {}, {{"nope", "1"}});
  EXPECT_NE(unknown.status().message().find("--nope"), std::string::npos);
  auto listen = LoadConfig("", {}, {{"listen", "localhost"}});
  EXPECT_EQ(listen.status().code(), StatusCode::kInvalidArgument);
  std::string path = (std::filesystem::temp_directory_path() / "cohort-config-bad.toml").string();
  {
    std::ofstream f(path);
    f << "listn = \"x\"\n";
  }
  auto typo = LoadConfig(path, {}, {});
  EXPECT_NE(typo.status().message().find("unknown option \"listn\""), std::string::npos);
  auto missing = LoadConfig("/nonexistent/cohort.toml", {}, {});
  EXPECT_FALSE(missing.ok());
  std::filesystem::remove(path);
}

TEST(ConfigTest, EveryOptionHasDefaultCommentAndNames) {
  std::string toml = DefaultConfigToml();
  for (const auto& o : ConfigOptions()) {
    EXPECT_NE(o.comment.find("Default:"), std::string::npos) << o.name;
    EXPECT_NE(toml.find(o.name + " = "), std::string::npos) << o.name;
  }
  EXPECT_EQ(EnvName("body_limit_bytes"), "COHORT_BODY_LIMIT_BYTES");
  EXPECT_EQ(FlagName("admin_token"), "--admin-token");
}

}  // namespace
}  // namespace cohort::server
