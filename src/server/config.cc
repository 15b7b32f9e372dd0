#include "server/config.h"

#include <toml++/toml.h>

#include <cctype>
#include <charconv>
#include <cstdlib>

extern char** environ;

namespace cohort::server {
namespace {

Status ParseInt(std::string_view name, std::string_view v, int64_t min, int64_t* out) {
  int64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size() || x < min) {
    return InvalidArgumentError("option " + std::string(name) + " must be an integer >= " +
                                std::to_string(min) + ", got \"" + std::string(v) + "\"");
  }
  *out = x;
  return Status::Ok();
}

OptionDef Str(std::string name, std::string comment, std::string Config::*field,
              bool secret = false) {
  return {name, comment, [field](const Config& c) { return c.*field; },
          [field](Config* c, std::string_view v) {
            c->*field = std::string(v);
            return Status::Ok();
          },
          secret};
}

template <typename T>
OptionDef Int(std::string name, std::string comment, T Config::*field, int64_t min) {
  return {name, comment, [field](const Config& c) { return std::to_string(c.*field); },
          [name, field, min](Config* c, std::string_view v) {
            int64_t x;
            RETURN_IF_ERROR(ParseInt(name, v, min, &x));
            c->*field = static_cast<T>(x);
            return Status::Ok();
          }};
}

}  // namespace

const std::vector<OptionDef>& ConfigOptions() {
  static const std::vector<OptionDef> opts = {
      Str("listen", "Address and port the HTTP server listens on. Default: 127.0.0.1:8080.",
          &Config::listen),
      Str("data", "Data directory (RocksDB); created if missing. Default: ./cohort-data.",
          &Config::data),
      Str("admin_token",
          "Bootstrap admin token (at least 16 characters). Empty: on first start a random one "
          "is generated and printed once. Default: empty.",
          &Config::admin_token, /*secret=*/true),
      Str("public_url",
          "Base URL users reach this server at (shown in the Customer.io webhook URL). Empty: "
          "http://<listen>. Default: empty.",
          &Config::public_url),
      Int("io_threads", "HTTP I/O threads; 0 = one per core. Default: 0.", &Config::io_threads, 0),
      Int("body_limit_bytes",
          "Largest accepted request body; larger bodies get 413. Default: 10485760 (10 MiB).",
          &Config::body_limit_bytes, 1024),
      Int("dedup_window_seconds",
          "An event whose id was stored in the same stream less than this long ago is a "
          "duplicate (Customer.io retries for up to 7 days). Default: 2592000 (30 days).",
          &Config::dedup_window_seconds, 0),
      Int("commit_max_batch_events",
          "Most events written in one group commit (one fsync). Default: 20000.",
          &Config::commit_max_batch_events, 1),
      Int("commit_max_batch_bytes",
          "Most bytes written in one group commit. Default: 33554432 (32 MiB).",
          &Config::commit_max_batch_bytes, 1024),
      Int("commit_queue_limit_bytes",
          "Bytes waiting for the writer above which collect answers 503 with Retry-After "
          "instead of queueing. Default: 268435456 (256 MiB).",
          &Config::commit_queue_limit_bytes, 1024),
      Int("wal_zeroed_file_bytes",
          "Size of the write-ahead-log files that are written with zeros and synced before "
          "use while commits are small (single events), so that each synced commit "
          "overwrites space instead of growing the file, which costs an extra metadata "
          "write per fsync (docs/storage.md). 0 = always plain appended files; less than "
          "1 MiB counts as 1 MiB. Default: "
          "134217728 (128 MiB).",
          &Config::wal_zeroed_file_bytes, 0),
      Int("header_timeout_ms",
          "The request line and headers must arrive within this time, or the connection is "
          "closed. Default: 10000.",
          &Config::header_timeout_ms, 1),
      Int("body_timeout_ms", "The request body must arrive within this time. Default: 30000.",
          &Config::body_timeout_ms, 1),
      Int("idle_timeout_ms",
          "A keep-alive connection with no request for this long is closed. Default: 60000.",
          &Config::idle_timeout_ms, 1),
      Int("write_timeout_ms",
          "A response must be taken by the client within this time. Default: 30000.",
          &Config::write_timeout_ms, 1),
      Int("max_connections",
          "Open connections above this are answered 503 and closed. Default: 10000.",
          &Config::max_connections, 1),
      Int("shutdown_grace_ms",
          "On SIGTERM/SIGINT, in-flight requests get this long to finish. Default: 10000.",
          &Config::shutdown_grace_ms, 0),
      Int("rebuild_flush_events",
          "A profile rebuild writes what it has built (profiles and its position, in one "
          "batch) after at most this many events, and when it reaches the newest event; a "
          "crash during a rebuild redoes at most this many events. Larger is faster: a profile "
          "changed in many chunks is written once. Memory is bounded by the profile cache "
          "either way. Default: 1000000.",
          &Config::rebuild_flush_events, 1),
      Int("pipeline_nice",
          "How many nice levels below the rest of the server the pipeline thread runs (the "
          "Customer.io processor, profiles, audiences, rebuilds). Only matters when the CPU is "
          "fully used: then the durable answers to collect requests, which Customer.io waits "
          "4 s for, come before processing, which catches up after. 0 = same priority; at "
          "most 19 in effect. Default: 10.",
          &Config::pipeline_nice, 0),
      Str("log_level", "trace, debug, info, warn, error or off. Default: info.",
          &Config::log_level),
  };
  return opts;
}

std::string EnvName(std::string_view option) {
  std::string s = "COHORT_";
  for (char c : option) s.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return s;
}

std::string FlagName(std::string_view option) {
  std::string s = "--";
  for (char c : option) s.push_back(c == '_' ? '-' : c);
  return s;
}

StatusOr<std::pair<std::string, uint16_t>> Config::ListenHostPort() const {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgumentError("listen must be HOST:PORT (e.g. 127.0.0.1:8080), got \"" +
                                listen + "\"");
  }
  int64_t port;
  RETURN_IF_ERROR(ParseInt("listen port", std::string_view(listen).substr(colon + 1), 0, &port));
  if (port > 65535) return InvalidArgumentError("listen port must be at most 65535");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::make_pair(host, static_cast<uint16_t>(port));
}

std::string Config::PublicUrl() const {
  std::string u = public_url.empty() ? "http://" + listen : public_url;
  while (!u.empty() && u.back() == '/') u.pop_back();
  return u;
}

StatusOr<Config> LoadConfig(const std::string& toml_path,
                            const std::map<std::string, std::string>& env,
                            const std::map<std::string, std::string>& flags) {
  Config c;
  const auto& opts = ConfigOptions();
  auto find = [&](std::string_view name) -> const OptionDef* {
    for (const auto& o : opts) {
      if (o.name == name) return &o;
    }
    return nullptr;
  };
  if (!toml_path.empty()) {
    // toml++ reports errors by exception; this is the one place they are converted.
    toml::table parsed;
    try {
      parsed = toml::parse_file(toml_path);
    } catch (const toml::parse_error& err) {
      return InvalidArgumentError("config file " + toml_path + " line " +
                                  std::to_string(err.source().begin.line) + ": " +
                                  std::string(err.description()));
    }
    for (const auto& [key, node] : parsed) {
      const OptionDef* o = find(key.str());
      if (!o) {
        return InvalidArgumentError("config file " + toml_path + ": unknown option \"" +
                                    std::string(key.str()) + "\" (see docs/configuration.md)");
      }
      std::string text;
      if (auto s = node.template value<std::string>()) {
        text = *s;
      } else if (auto i = node.template value<int64_t>()) {
        text = std::to_string(*i);
      } else {
        return InvalidArgumentError("config file option " + o->name +
                                    " must be a string or an integer");
      }
      RETURN_IF_ERROR(o->set(&c, text).WithContext("config file " + toml_path));
    }
  }
  for (const auto& o : opts) {
    auto it = env.find(EnvName(o.name));
    if (it != env.end()) RETURN_IF_ERROR(o.set(&c, it->second).WithContext(EnvName(o.name)));
  }
  for (const auto& [name, value] : flags) {
    const OptionDef* o = find(name);
    if (!o) return InvalidArgumentError("unknown option " + FlagName(name));
    RETURN_IF_ERROR(o->set(&c, value).WithContext(FlagName(name)));
  }
  RETURN_IF_ERROR(c.ListenHostPort().status());
  return c;
}

std::map<std::string, std::string> ProcessEnv() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos && kv.starts_with("COHORT_")) {
      env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
  }
  return env;
}

std::string DefaultConfigToml() {
  Config d;
  std::string out = "# cohort.toml: every option at its default.\n";
  for (const auto& o : ConfigOptions()) {
    out += "\n# " + o.comment + "\n# env " + EnvName(o.name) + ", flag " + FlagName(o.name) + "\n";
    std::string v = o.get(d);
    bool numeric = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
    out += o.name + " = " + (numeric ? v : "\"" + v + "\"") + "\n";
  }
  return out;
}

}  // namespace cohort::server
