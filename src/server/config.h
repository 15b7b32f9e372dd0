// Configuration of `cohort serve`: one table of options, each with a default, a comment, and
// the same name in the TOML file (`body_limit_bytes`), the environment
// (`COHORT_BODY_LIMIT_BYTES`) and the command line (`--body-limit-bytes`).
// Precedence: defaults < TOML file < environment < flags.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cohort::server {

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string data = "./cohort-data";
  std::string admin_token;
  std::string public_url;
  int io_threads = 0;
  int64_t body_limit_bytes = 10 * 1024 * 1024;
  int64_t dedup_window_seconds = 30LL * 24 * 3600;
  int64_t commit_max_batch_events = 20000;
  int64_t commit_max_batch_bytes = 32LL << 20;
  int64_t commit_queue_limit_bytes = 256LL << 20;
  int64_t wal_zeroed_file_bytes = 128LL << 20;
  int64_t header_timeout_ms = 10000;
  int64_t body_timeout_ms = 30000;
  int64_t idle_timeout_ms = 60000;
  int64_t write_timeout_ms = 30000;
  int64_t max_connections = 10000;
  int64_t shutdown_grace_ms = 10000;
  int64_t rebuild_flush_events = 1000000;
  int64_t pipeline_nice = 10;
  std::string log_level = "info";

  // host and port of `listen`.
  StatusOr<std::pair<std::string, uint16_t>> ListenHostPort() const;
  // public_url, or http://<listen> when unset; no trailing slash.
  std::string PublicUrl() const;
};

struct OptionDef {
  std::string name;     // TOML key; env is COHORT_ + upper; flag is -- + name with '-'
  std::string comment;  // what it does, shown in --help and docs/configuration.md
  std::function<std::string(const Config&)> get;
  std::function<Status(Config*, std::string_view)> set;
  bool secret = false;  // never printed
};

// Every option, in documentation order.
const std::vector<OptionDef>& ConfigOptions();
std::string EnvName(std::string_view option);
std::string FlagName(std::string_view option);

// Builds the config: defaults, then `toml_path` (if non-empty; an error if unreadable or a key
// is unknown), then `env` (COHORT_* entries), then `flags` (option name → value).
StatusOr<Config> LoadConfig(const std::string& toml_path,
                            const std::map<std::string, std::string>& env,
                            const std::map<std::string, std::string>& flags);

// The process environment as a map (for LoadConfig).
std::map<std::string, std::string> ProcessEnv();

// A commented TOML file with every option at its default (docs, `cohort config`).
std::string DefaultConfigToml();

}  // namespace cohort::server
