#include "cli/commands.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/client.h"
#include "server/config.h"
#include "server/server.h"

namespace cohort::cli {
namespace {

struct Remote {
  std::string server;
  std::string token;
};

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

void PrettyPrint(std::ostream& os, const boost::json::value& v, std::string indent = "") {
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& o = v.as_object();
      if (o.empty()) {
        os << "{}";
        return;
      }
      os << "{\n";
      size_t i = 0;
      for (const auto& [k, val] : o) {
        os << indent << "  " << boost::json::serialize(boost::json::value(k)) << ": ";
        PrettyPrint(os, val, indent + "  ");
        os << (++i < o.size() ? ",\n" : "\n");
      }
      os << indent << "}";
      return;
    }
    case boost::json::kind::array: {
      const auto& a = v.as_array();
      if (a.empty()) {
        os << "[]";
        return;
      }
      os << "[\n";
      for (size_t i = 0; i < a.size(); ++i) {
        os << indent << "  ";
        PrettyPrint(os, a[i], indent + "  ");
        os << (i + 1 < a.size() ? ",\n" : "\n");
      }
      os << indent << "]";
      return;
    }
    default:
      os << boost::json::serialize(v);
  }
}

// Calls the API and prints `data` (pretty JSON). Returns the exit code.
int Call(const Remote& r, const std::string& method, const std::string& path,
         const std::string& body = "", const std::string& content_type = "application/json") {
  HttpCall call;
  call.method = method;
  call.url = r.server + path;
  call.body = body;
  if (!r.token.empty()) call.headers.emplace_back("Authorization", "Bearer " + r.token);
  if (!body.empty()) call.headers.emplace_back("Content-Type", content_type);
  auto res = Fetch(call);
  if (!res.ok()) {
    std::cerr << "error: " << res.status().message() << "\n";
    return 2;
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(res->body, ec);
  if (ec) {
    std::cout << res->body;
    return res->status < 300 ? 0 : 1;
  }
  if (res->status >= 300) {
    std::string msg = v.is_object() && v.as_object().contains("message")
                          ? std::string(v.as_object().at("message").as_string())
                          : res->body;
    std::cerr << "error " << res->status << ": " << msg << "\n";
    return 1;
  }
  const boost::json::value* data = v.is_object() ? v.as_object().if_contains("data") : nullptr;
  PrettyPrint(std::cout, data ? *data : v);
  std::cout << "\n";
  return 0;
}

int Serve(const std::string& config_path, const std::map<std::string, std::string>& flags) {
  auto config = server::LoadConfig(config_path, server::ProcessEnv(), flags);
  if (!config.ok()) {
    std::cerr << "error: " << config.status().message() << "\n";
    return 2;
  }
  server::SetupLogging(config->log_level);
  server::BlockTerminationSignals();
  auto srv = server::CohortServer::Start(*config, SystemClock::Default(), std::cout);
  if (!srv.ok()) {
    std::cerr << "error: " << srv.status().message() << "\n";
    return 1;
  }
  std::cout << "cohort is serving on " << (*srv)->BaseUrl() << " (Ctrl-C to stop)" << std::endl;
  int sig = server::WaitForTerminationSignal();
  std::cout << "signal " << sig << ": finishing in-flight requests" << std::endl;
  (*srv)->Stop();
  return 0;
}

// `cohort import FILE --stream S`: posts NDJSON in batches with a progress line.
int Import(const Remote& r, const std::string& file, const std::string& stream, size_t batch) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "error: cannot read " << file << "\n";
    return 2;
  }
  in.seekg(0, std::ios::end);
  double total = static_cast<double>(in.tellg());
  in.seekg(0);
  std::string line, body;
  size_t lines = 0, sent = 0, stored = 0, dups = 0, rejected = 0;
  auto flush = [&]() -> bool {
    if (body.empty()) return true;
    HttpCall call;
    call.method = "POST";
    call.url = r.server + "/collect/json/" + UrlEncode(stream);
    call.headers.emplace_back("Authorization", "Bearer " + r.token);
    call.body = std::move(body);
    body.clear();
    auto res = Fetch(call);
    if (!res.ok() || res->status != 200) {
      std::cerr << "\nerror: " << (res.ok() ? res->body : res.status().message()) << "\n";
      return false;
    }
    auto v = boost::json::parse(res->body).as_object().at("data").as_object();
    stored += v.at("message_count").to_number<size_t>();
    dups += v.at("duplicate_count").to_number<size_t>();
    rejected += v.at("rejected_count").to_number<size_t>();
    sent = lines;
    std::streamoff at = in.tellg();
    double done = at < 0 ? total : static_cast<double>(at);
    double pct = total > 0 ? 100.0 * done / total : 100;
    std::cerr << "\rimported " << sent << " lines (" << static_cast<int>(pct) << "%)" << std::flush;
    return true;
  };
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    body += line;
    body += '\n';
    if (++lines % batch == 0 && !flush()) return 1;
  }
  if (!flush()) return 1;
  std::cerr << "\n";
  std::cout << "events: " << stored << ", duplicates: " << dups << ", rejected: " << rejected << "\n";
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"Cohort: a self-hosted customer data platform for Customer.io webhooks"};
  app.require_subcommand(1);
  Remote remote;
  remote.server = EnvOr("COHORT_SERVER", "http://127.0.0.1:8080");
  remote.token = EnvOr("COHORT_TOKEN", "");

  // serve
  auto* serve = app.add_subcommand("serve", "Run the server (see docs/configuration.md)");
  std::string config_path;
  serve->add_option("--config", config_path, "TOML config file");
  std::map<std::string, std::string> flags;
  std::map<std::string, std::string> flag_values;
  for (const auto& o : server::ConfigOptions()) {
    std::string flag = server::FlagName(o.name);
    serve->add_option(flag, flag_values[o.name],
                      o.comment + " (env " + server::EnvName(o.name) + ")");
  }

  auto* config_cmd = app.add_subcommand("config", "Print a TOML config file with every default");

  auto add_remote = [&](CLI::App* cmd) {
    cmd->add_option("--server", remote.server, "Server URL (env COHORT_SERVER)");
    cmd->add_option("--token", remote.token, "API token (env COHORT_TOKEN)");
  };

  // token
  auto* token = app.add_subcommand("token", "Manage API tokens");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "Create a token (shown once)");
  std::string token_name = "cli", token_role = "read";
  token_create->add_option("--name", token_name, "A name to recognise it by");
  token_create->add_option("--role", token_role, "admin, collect or read")->default_val("read");
  auto* token_list = token->add_subcommand("list", "List tokens (never their secrets)");
  auto* token_revoke = token->add_subcommand("revoke", "Revoke a token at once");
  std::string token_id;
  token_revoke->add_option("id", token_id, "Token id (from `token list`)")->required();
  for (auto* c : {token_create, token_list, token_revoke}) add_remote(c);

  // stream
  auto* stream = app.add_subcommand("stream", "Inspect and configure streams");
  stream->require_subcommand(1);
  auto* stream_list = stream->add_subcommand("list", "List streams with counts");
  auto* stream_show = stream->add_subcommand("show", "A stream with its field catalogue");
  auto* stream_events = stream->add_subcommand("events", "The latest events of a stream");
  auto* stream_config = stream->add_subcommand("config", "Show or change a stream's config");
  std::string stream_name, signing_key, id_field, timestamp_field;
  int limit = 20;
  for (auto* c : {stream_show, stream_events, stream_config}) {
    c->add_option("name", stream_name, "Stream name")->required();
  }
  stream_events->add_option("--limit", limit, "How many (newest first)");
  stream_config->add_option("--signing-key", signing_key, "Webhook signing key to verify");
  stream_config->add_option("--id-field", id_field, "De-duplication id field");
  stream_config->add_option("--timestamp-field", timestamp_field, "Event time field");
  for (auto* c : {stream_list, stream_show, stream_events, stream_config}) add_remote(c);

  // import
  auto* import = app.add_subcommand("import", "Post an NDJSON file to a stream");
  std::string import_file, import_stream;
  size_t import_batch = 1000;
  import->add_option("file", import_file, "NDJSON file")->required();
  import->add_option("--stream", import_stream, "Target stream")->required();
  import->add_option("--batch", import_batch, "Events per request")->default_val(1000);
  add_remote(import);

  CLI11_PARSE(app, argc, argv);

  if (serve->parsed()) {
    for (const auto& [name, value] : flag_values) {
      if (serve->count(server::FlagName(name)) > 0) flags[name] = value;
    }
    return Serve(config_path, flags);
  }
  if (config_cmd->parsed()) {
    std::cout << server::DefaultConfigToml();
    return 0;
  }
  if (token_create->parsed()) {
    boost::json::object o{{"name", token_name}, {"role", token_role}};
    return Call(remote, "POST", "/api/token", boost::json::serialize(o));
  }
  if (token_list->parsed()) return Call(remote, "GET", "/api/token");
  if (token_revoke->parsed()) return Call(remote, "DELETE", "/api/token/" + UrlEncode(token_id));
  if (stream_list->parsed()) return Call(remote, "GET", "/api/stream");
  if (stream_show->parsed()) return Call(remote, "GET", "/api/stream/" + UrlEncode(stream_name));
  if (stream_events->parsed()) {
    return Call(remote, "GET",
                "/api/stream/" + UrlEncode(stream_name) + "/events?limit=" + std::to_string(limit));
  }
  if (stream_config->parsed()) {
    boost::json::object o;
    if (stream_config->count("--signing-key")) o["signing_key"] = signing_key;
    if (stream_config->count("--id-field")) o["id_field"] = id_field;
    if (stream_config->count("--timestamp-field")) o["timestamp_field"] = timestamp_field;
    std::string path = "/api/stream/" + UrlEncode(stream_name) + "/config";
    if (o.empty()) return Call(remote, "GET", path);
    return Call(remote, "PUT", path, boost::json::serialize(o));
  }
  if (import->parsed()) return Import(remote, import_file, import_stream, import_batch);
  return 0;
}

}  // namespace cohort::cli
