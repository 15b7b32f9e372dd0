#include "cli/commands.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

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

// The contents of `path`, or of stdin for "-".
StatusOr<std::string> ReadText(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream f(path, std::ios::binary);
    if (!f) return NotFoundError("cannot read " + path);
    ss << f.rdbuf();
  }
  return ss.str();
}

int CallWithFile(const Remote& r, const std::string& method, const std::string& path,
                 const std::string& file, const std::string& content_type) {
  auto text = ReadText(file);
  if (!text.ok()) {
    std::cerr << "error: " << text.status().message() << "\n";
    return 2;
  }
  return Call(r, method, path, *text, content_type);
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

  // query
  auto* query = app.add_subcommand("query", "Mapping queries (docs/mapping.md)");
  query->require_subcommand(1);
  auto* query_list = query->add_subcommand("list", "Installed queries");
  auto* query_show = query->add_subcommand("show", "One query");
  auto* query_install = query->add_subcommand("install", "Install or replace a query (starts a rebuild)");
  auto* query_validate = query->add_subcommand("validate", "Check a query without installing it");
  auto* query_test = query->add_subcommand("test", "Profiles a query makes from given events");
  auto* query_delete = query->add_subcommand("delete", "Delete a query (starts a rebuild)");
  std::string alias, query_file, events_file;
  query_show->add_option("alias", alias, "Query alias")->required();
  query_delete->add_option("alias", alias, "Query alias")->required();
  for (auto* cmd : {query_install, query_validate, query_test}) {
    cmd->add_option("file", query_file, "File with the query text (- for stdin)")->required();
  }
  query_test->add_option("--events", events_file, "JSON array or NDJSON file of events")->required();
  for (auto* cmd : {query_list, query_show, query_install, query_validate, query_test, query_delete}) {
    add_remote(cmd);
  }

  // entity
  auto* entity = app.add_subcommand("entity", "User profiles");
  entity->require_subcommand(1);
  auto* entity_get = entity->add_subcommand("get", "The profile whose FIELD is VALUE");
  auto* entity_list = entity->add_subcommand("list", "Profiles, one page");
  auto* entity_erase = entity->add_subcommand("erase", "Erase a profile (privacy request)");
  std::string entity_field, entity_value, cursor;
  for (auto* cmd : {entity_get, entity_erase}) {
    cmd->add_option("field", entity_field, "Identity or field name")->required();
    cmd->add_option("value", entity_value, "Value")->required();
  }
  entity_list->add_option("--limit", limit, "Profiles per page");
  entity_list->add_option("--cursor", cursor, "meta.next_cursor of the previous page");
  for (auto* cmd : {entity_get, entity_list, entity_erase}) add_remote(cmd);

  auto* rebuild = app.add_subcommand("rebuild", "Rebuild every profile from the stored log");
  add_remote(rebuild);
  auto* job = app.add_subcommand("job", "Show a job (rebuild) by id");
  std::string job_id;
  job->add_option("id", job_id, "Job id")->required();
  add_remote(job);

  // workflow
  auto* workflow = app.add_subcommand("workflow", "Integration workflows");
  workflow->require_subcommand(1);
  auto* workflow_run = workflow->add_subcommand("run", "Start a workflow");
  std::string wf_integration, wf_name;
  bool webhook_configured = false;
  workflow_run->add_option("integration", wf_integration, "e.g. customerio")->required();
  workflow_run->add_option("workflow", wf_name, "e.g. import_webhook_events")->required();
  workflow_run->add_flag("--webhook-configured", webhook_configured,
                         "I have set up the Customer.io webhook");
  auto* workflow_list = workflow->add_subcommand("list", "Workflow runs");
  auto* workflow_show = workflow->add_subcommand("show", "One workflow run");
  std::string run_id;
  workflow_show->add_option("id", run_id, "Run id")->required();
  for (auto* cmd : {workflow_run, workflow_list, workflow_show}) add_remote(cmd);

  // segment
  auto* seg = app.add_subcommand("segment", "Audiences (docs/audiences.md)");
  seg->require_subcommand(1);
  auto* seg_create = seg->add_subcommand("create", "Save an audience from a filter file (FILTER ... ALIAS slug)");
  auto* seg_list = seg->add_subcommand("list", "Audiences with sizes");
  auto* seg_show = seg->add_subcommand("show", "One audience");
  auto* seg_size = seg->add_subcommand("size", "Size of an ad-hoc filter (file or - for stdin)");
  auto* seg_members = seg->add_subcommand("members", "Members of an audience, one page");
  auto* seg_export = seg->add_subcommand("export", "Every member, streamed");
  auto* seg_delete = seg->add_subcommand("delete", "Delete an audience");
  std::string seg_file, seg_slug, seg_fields, seg_format = "ndjson";
  seg_create->add_option("file", seg_file, "Filter file (- for stdin)")->required();
  seg_size->add_option("file", seg_file, "Filter file (- for stdin)")->required();
  for (auto* cmd : {seg_show, seg_members, seg_export, seg_delete}) {
    cmd->add_option("slug", seg_slug, "Audience slug")->required();
  }
  seg_members->add_option("--limit", limit, "Members per page");
  seg_members->add_option("--cursor", cursor, "meta.next_cursor of the previous page");
  for (auto* cmd : {seg_members, seg_export}) {
    cmd->add_option("--fields", seg_fields, "Comma-separated fields to show");
  }
  seg_export->add_option("--format", seg_format, "ndjson or csv");
  for (auto* cmd : {seg_create, seg_list, seg_show, seg_size, seg_members, seg_export, seg_delete}) {
    add_remote(cmd);
  }

  CLI11_PARSE(app, argc, argv);

  if (seg_create->parsed()) return CallWithFile(remote, "POST", "/api/segment", seg_file, "text/plain");
  if (seg_list->parsed()) return Call(remote, "GET", "/api/segment");
  if (seg_show->parsed()) return Call(remote, "GET", "/api/segment/" + UrlEncode(seg_slug));
  if (seg_size->parsed()) return CallWithFile(remote, "POST", "/api/segment/size", seg_file, "text/plain");
  if (seg_delete->parsed()) return Call(remote, "DELETE", "/api/segment/" + UrlEncode(seg_slug));
  if (seg_members->parsed()) {
    std::string path = "/api/segment/" + UrlEncode(seg_slug) + "/scan?limit=" + std::to_string(limit);
    if (!cursor.empty()) path += "&cursor=" + UrlEncode(cursor);
    if (!seg_fields.empty()) path += "&fields=" + UrlEncode(seg_fields);
    return Call(remote, "GET", path);
  }
  if (seg_export->parsed()) {
    std::string path = "/api/segment/" + UrlEncode(seg_slug) + "/export?format=" + UrlEncode(seg_format);
    if (!seg_fields.empty()) path += "&fields=" + UrlEncode(seg_fields);
    HttpCall call;
    call.url = remote.server + path;
    call.timeout_ms = 600000;
    if (!remote.token.empty()) call.headers.emplace_back("Authorization", "Bearer " + remote.token);
    auto res = Fetch(call);
    if (!res.ok()) {
      std::cerr << "error: " << res.status().message() << "\n";
      return 2;
    }
    if (res->status != 200) {
      std::cerr << "error " << res->status << ": " << res->body << "\n";
      return 1;
    }
    std::cout << res->body;
    return 0;
  }

  if (query_list->parsed()) return Call(remote, "GET", "/api/query");
  if (query_show->parsed()) return Call(remote, "GET", "/api/query/" + UrlEncode(alias));
  if (query_delete->parsed()) return Call(remote, "DELETE", "/api/query/" + UrlEncode(alias));
  if (query_install->parsed()) return CallWithFile(remote, "POST", "/api/query", query_file, "text/plain");
  if (query_validate->parsed()) {
    return CallWithFile(remote, "POST", "/api/query/_validate", query_file, "text/plain");
  }
  if (query_test->parsed()) {
    auto text = ReadText(query_file);
    auto events = ReadText(events_file);
    if (!text.ok() || !events.ok()) {
      std::cerr << "error: " << (text.ok() ? events.status() : text.status()).message() << "\n";
      return 2;
    }
    boost::json::array arr;
    boost::system::error_code ec;
    boost::json::value whole = boost::json::parse(*events, ec);
    if (!ec && whole.is_array()) {
      arr = whole.as_array();
    } else {
      std::stringstream lines(*events);
      std::string line;
      while (std::getline(lines, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        boost::json::value v = boost::json::parse(line, ec);
        if (ec) {
          std::cerr << "error: " << events_file << " is neither a JSON array nor NDJSON\n";
          return 2;
        }
        arr.push_back(v);
      }
    }
    boost::json::object body{{"query", *text}, {"events", arr}};
    return Call(remote, "POST", "/api/query/_test", boost::json::serialize(body));
  }
  if (entity_get->parsed()) {
    return Call(remote, "GET",
                "/api/entity/user/" + UrlEncode(entity_field) + "/" + UrlEncode(entity_value));
  }
  if (entity_erase->parsed()) {
    return Call(remote, "DELETE",
                "/api/entity/user/" + UrlEncode(entity_field) + "/" + UrlEncode(entity_value));
  }
  if (entity_list->parsed()) {
    std::string path = "/api/entity/user?limit=" + std::to_string(limit);
    if (!cursor.empty()) path += "&cursor=" + UrlEncode(cursor);
    return Call(remote, "GET", path);
  }
  if (rebuild->parsed()) return Call(remote, "POST", "/api/rebuild");
  if (job->parsed()) return Call(remote, "GET", "/api/job/" + UrlEncode(job_id));
  if (workflow_run->parsed()) {
    boost::json::object body{{"integration", wf_integration},
                             {"workflow", wf_name},
                             {"config", boost::json::object{{"webhook_configured", webhook_configured}}}};
    return Call(remote, "POST", "/api/workflow", boost::json::serialize(body));
  }
  if (workflow_list->parsed()) return Call(remote, "GET", "/api/workflow");
  if (workflow_show->parsed()) return Call(remote, "GET", "/api/workflow/" + UrlEncode(run_id));

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
