// The Customer.io integration and its Import Webhook Events workflow (issue 5, must-shows 1–3;
// SPEC §2.7, §6), followed through the API the way a user follows the reference product:
// create a collect token, point the webhook at the URL the integration shows, events arrive
// and are stored but map to nothing, start the workflow (refused until its box is ticked),
// watch it complete, find the SPEC §6 fields on the profiles of the events that came before,
// and see later events keep them current with no further action. A second run changes
// nothing and says so; a run interrupted by SIGKILL ends completed or failed after the
// restart, never stuck in `running`.
//
// The expected profiles of the fixtures are worked out by hand from
// ../shared/fixtures/customerio (timestamps in UTC):
//   acct-4410 (Dana): email sent 1717243200 (2024-06-01T12:00:00Z), opened 1717250412
//     (14:00:12Z), clicked 1717250530 (14:02:10Z), all campaign 118 with one subject;
//     push opened 1717340000 (2024-06-02T14:53:20Z, campaign 205); in-app opened 1717350000
//     (2024-06-02T17:40:00Z, journey jrn_01HZ7) — the latest open of any channel.
//   acct-7781 (Lee): unsubscribed 1717333200 with "Lee Park <Lee.Park@Example.NET>", which is
//     later than the bounce (1717329600, 2024-06-02T12:00:00Z) to old.address@example.net, so
//     `email` is lee.park@example.net and both addresses are identities of one profile.
//   acct-5120: an SMS click 1717345000 (2024-06-02T16:16:40Z) to a phone number (not an
//     email) and a failed webhook, campaign 77.
//   u-9001 (Sam): legacy open 1522339032 (2018-03-29T15:57:12Z, hour 15) with
//     "Sam Reyes <SAM.reyes@example.com>", campaign 44 "Onboarding - Day 3".
//   u-9002: a legacy draft with a null address and a null subject, campaign 44.
#include <cstdio>

#include "corpus.h"
#include "customerio/integration.h"
#include "harness.h"

namespace cohort::integration {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

const char kWorkflowBody[] = R"({"integration":"customerio","workflow":"import_webhook_events",)"
                             R"("config":{"webhook_configured":true}})";

// The profiles the fixtures must give, keyed by their customer id (every field of SPEC §6 that
// has a value; the others must be absent).
std::map<std::string, object> FixtureProfiles() {
  std::map<std::string, object> p;
  p["acct-4410"] = object{
      {"email", "dana.ortiz@example.org"},
      {"cio_customer_id", "acct-4410"},
      {"cio_id", "a1b2c3d4e5f6"},
      {"cio_campaign_ids", array{"118", "205"}},
      {"cio_events", object{{"email_clicked", 1},
                            {"email_opened", 1},
                            {"email_sent", 1},
                            {"in_app_opened", 1},
                            {"push_opened", 1}}},
      {"cio_hourlyopens", object{{"14", 1}}},  // 1717250412 is 14:00:12 UTC
      {"cio_last_open_ts", "2024-06-01T14:00:12Z"},
      {"cio_subjects", array{"Your spring plan is ready"}},
      {"last_active_ts", "2024-06-02T17:40:00Z"},  // the in-app open
      {"cio_channels", array{"email", "in_app", "push"}},
      {"cio_journey_ids", array{"jrn_01HZ7"}},
      {"cio_email_last_send_ts", "2024-06-01T12:00:00Z"},
      {"cio_email_last_clicked_ts", "2024-06-01T14:02:10Z"},
  };
  p["acct-7781"] = object{
      {"email", "lee.park@example.net"},  // from "Lee Park <Lee.Park@Example.NET>"
      {"cio_customer_id", "acct-7781"},
      {"cio_events", object{{"customer_unsubscribed", 1}, {"email_bounced", 1}}},
      {"cio_subjects", array{"June newsletter"}},
      {"cio_channels", array{"customer", "email"}},
      {"cio_email_last_bounced_ts", "2024-06-02T12:00:00Z"},
      {"cio_unsubscribed", true},
  };
  p["acct-5120"] = object{
      {"cio_customer_id", "acct-5120"},
      {"cio_campaign_ids", array{"77"}},
      {"cio_events", object{{"sms_clicked", 1}, {"webhook_failed", 1}}},
      {"last_active_ts", "2024-06-02T16:16:40Z"},  // the SMS click
      {"cio_channels", array{"sms", "webhook"}},
  };
  p["u-9001"] = object{
      {"email", "sam.reyes@example.com"},  // from "Sam Reyes <SAM.reyes@example.com>"
      {"cio_customer_id", "u-9001"},
      {"cio_campaign_ids", array{"44"}},
      {"cio_campaign_names", array{"Onboarding - Day 3"}},
      {"cio_events", object{{"email_opened", 1}}},
      {"cio_hourlyopens", object{{"15", 1}}},  // 1522339032 is 15:57:12 UTC
      {"cio_last_open_ts", "2018-03-29T15:57:12Z"},
      {"cio_subjects", array{"Three tips for your first week"}},
      {"last_active_ts", "2018-03-29T15:57:12Z"},
      {"cio_channels", array{"email"}},
  };
  p["u-9002"] = object{
      {"cio_customer_id", "u-9002"},
      {"cio_campaign_ids", array{"44"}},
      {"cio_campaign_names", array{"Onboarding - Day 3"}},
      {"cio_events", object{{"email_drafted", 1}}},
      {"cio_channels", array{"email"}},
  };
  return p;
}

// Every SPEC §6 field.
const char* const kSpecFields[] = {
    "email",
    "cio_customer_id",
    "cio_id",
    "cio_campaign_ids",
    "cio_campaign_names",
    "cio_events",
    "cio_hourlyopens",
    "cio_last_open_ts",
    "cio_subjects",
    "last_active_ts",
    "cio_channels",
    "cio_journey_ids",
    "cio_email_last_send_ts",
    "cio_email_last_clicked_ts",
    "cio_email_last_bounced_ts",
    "cio_unsubscribed",
};

// GET /api/entity/user/{field}/{value}.
Reply Lookup(const ServerProcess& server, const std::string& field, const std::string& v) {
  return server.Get("/api/entity/user/" + field + "/" + v, server.admin_token());
}

// Checks one profile against `want`, field by field (by name and value), and as a whole.
void ExpectProfile(const ServerProcess& server, const std::string& customer_id,
                   const object& want) {
  SCOPED_TRACE("profile of " + customer_id);
  Reply r = Lookup(server, "cio_customer_id", customer_id);
  ASSERT_EQ(r.status, 200) << r.Describe();
  ASSERT_TRUE(r.Data().is_object()) << r.Describe();
  const object& got = r.Data().as_object();
  for (const char* field : kSpecFields) {
    const value* g = got.if_contains(field);
    const value* w = want.if_contains(field);
    if (w) {
      EXPECT_TRUE(g && *g == *w) << field << ": want " << *w << ", got "
                                 << (g ? boost::json::serialize(*g) : "(absent)");
    } else {
      EXPECT_EQ(g, nullptr) << field << " should be absent, got " << *g;
    }
  }
  EXPECT_EQ(corpus::WithoutSegments(got), want) << "fields beyond SPEC §6: " << r.body;
  ASSERT_TRUE(got.contains("_segments") && got.at("_segments").is_array()) << r.body;
}

// Polls GET /api/workflow/{id} until the run is no longer running and returns it; after
// `timeout`, a test failure and a run whose status says so.
object WaitForRun(const ServerProcess& server, const std::string& id,
                  std::chrono::milliseconds timeout) {
  object run;
  bool done = Eventually(
      [&] {
        Reply r = server.Get("/api/workflow/" + id, server.admin_token());
        if (r.status != 200 || !r.Data().is_object()) return false;
        run = r.Data().as_object();
        return run.at("status") != value("running");
      },
      timeout, 10ms);
  if (!done) {
    ADD_FAILURE() << "workflow run " << id << " still running: " << value(run);
    run["status"] = "(still running after the timeout)";
  }
  return run;
}

std::string Str(const value& v, std::string_view key) {
  const value* x = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  return x && x->is_string() ? std::string(x->as_string()) : "";
}

bool LogMentions(const object& run, std::string_view text) {
  for (const auto& l : run.at("log").as_array()) {
    if (l.is_string() && std::string_view(l.as_string()).find(text) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

using WorkflowTest = ServerTest;

TEST_F(WorkflowTest, ReferenceStepsGiveTheSpecProfilesAndKeepThemCurrent) {
  const std::string base = server().base_url();

  // 1. A collect token, and the webhook URL the integration shows for it.
  Reply token =
      server().Post("/api/token", R"({"name":"customer.io webhook","role":"collect"})", admin());
  ASSERT_EQ(token.status, 200) << token.Describe();
  const std::string collect_token = Str(token.Data(), "token");
  ASSERT_FALSE(collect_token.empty()) << token.Describe();
  EXPECT_EQ(Str(token.Data(), "role"), "collect");
  Reply catalogue = server().Get("/api/integration?collect_token=" + collect_token, admin());
  ASSERT_EQ(catalogue.status, 200) << catalogue.Describe();
  ASSERT_TRUE(catalogue.Data().is_array() && !catalogue.Data().as_array().empty());
  const value& cio = catalogue.Data().as_array().front();
  EXPECT_EQ(Str(cio, "id"), "customerio");
  const std::string webhook_url = Str(cio, "webhook_url");
  ASSERT_EQ(webhook_url, base + "/collect/json/customerio?key=" + collect_token)
      << catalogue.Describe();
  const value& workflow = cio.at("workflows").as_array().front();
  EXPECT_EQ(Str(workflow, "id"), "import_webhook_events");
  EXPECT_EQ(Str(workflow, "name"), "Import Webhook Events");
  const value& option = workflow.at("options").as_array().front();
  EXPECT_EQ(Str(option, "id"), "webhook_configured");
  EXPECT_EQ(option.at("required"), value(true));
  const std::string webhook = webhook_url.substr(base.size());

  // 2. Customer.io sends events before the workflow: one request each, no other credentials.
  const auto names = EventFixtureNames();
  ASSERT_EQ(names.size(), 11u);
  for (const auto& name : names) {
    Reply r = server().Post(webhook, ReadFixture(name), "", {{"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 200) << name << ": " << r.Describe();
    EXPECT_EQ(DataInt(r, "message_count"), 1) << name;
  }
  ASSERT_TRUE(corpus::WaitForPipeline(server(), 30s));
  // They are stored and processed …
  EXPECT_EQ(IntField(StreamInfo(server(), "customerio"), "event_count"), 11);
  EXPECT_EQ(IntField(StreamInfo(server(), "customerio_events"), "event_count"), 11);
  // … but map to nothing yet.
  for (const auto& [field, v] :
       std::vector<std::pair<std::string, std::string>>{{"email", "dana.ortiz@example.org"},
                                                        {"cio_customer_id", "acct-4410"},
                                                        {"cio_id", "a1b2c3d4e5f6"},
                                                        {"cio_customer_id", "u-9001"}}) {
    Reply r = Lookup(server(), field, v);
    EXPECT_EQ(r.status, 404) << field << "=" << v << " before the workflow: " << r.Describe();
  }
  EXPECT_TRUE(corpus::ListProfiles(server(), 100).profiles.empty());
  EXPECT_EQ(server().Get("/api/query/customerio_events_user", admin()).status, 404);

  // 3. Without the box ticked the workflow refuses, says why, and starts nothing.
  for (const char* body :
       {R"({"integration":"customerio","workflow":"import_webhook_events","config":{}})",
        R"({"integration":"customerio","workflow":"import_webhook_events",)"
        R"("config":{"webhook_configured":false}})",
        R"({"integration":"customerio","workflow":"import_webhook_events"})"}) {
    Reply r = server().Post("/api/workflow", body, admin());
    EXPECT_EQ(r.status, 400) << body << ": " << r.Describe();
    EXPECT_NE(r.Message().find("webhook_configured"), std::string::npos) << r.Describe();
    EXPECT_NE(r.Message().find("Customer.io webhook"), std::string::npos) << r.Describe();
  }
  Reply runs = server().Get("/api/workflow", admin());
  ASSERT_EQ(runs.status, 200) << runs.Describe();
  EXPECT_TRUE(runs.Data().as_array().empty()) << runs.Describe();
  EXPECT_EQ(server().Get("/api/query/customerio_events_user", admin()).status, 404);

  // 4. With the box ticked it runs to completion, with progress, and installs the query.
  Reply started = server().Post("/api/workflow", kWorkflowBody, admin());
  ASSERT_EQ(started.status, 200) << started.Describe();
  const std::string run_id = Str(started.Data(), "id");
  ASSERT_FALSE(run_id.empty()) << started.Describe();
  EXPECT_TRUE(Str(started.Data(), "status") == "running" ||
              Str(started.Data(), "status") == "completed")
      << started.Describe();
  EXPECT_FALSE(Str(started.Data(), "job_id").empty()) << started.Describe();
  object run = WaitForRun(server(), run_id, 30s);
  ASSERT_EQ(run.at("status"), value("completed")) << value(run);
  EXPECT_GT(IntField(run.at("progress"), "total"), 0) << value(run);
  EXPECT_EQ(IntField(run.at("progress"), "done"), IntField(run.at("progress"), "total"))
      << value(run);
  EXPECT_TRUE(run.at("finished").is_string()) << value(run);
  EXPECT_TRUE(LogMentions(run, "installed")) << value(run);
  EXPECT_EQ(corpus::WaitForJob(server(), Str(value(run), "job_id"), 10s), "completed");
  Reply query = server().Get("/api/query/customerio_events_user", admin());
  ASSERT_EQ(query.status, 200) << query.Describe();
  EXPECT_EQ(Str(query.Data(), "text"), customerio::DefaultQueryText());
  ASSERT_TRUE(corpus::WaitForPipeline(server(), 30s));

  // 5. The events that came before now give the SPEC §6 profiles.
  auto want = FixtureProfiles();
  for (const auto& [customer_id, fields] : want) ExpectProfile(server(), customer_id, fields);
  corpus::Listing listing = corpus::ListProfiles(server(), 100);
  ASSERT_EQ(listing.error, "");
  EXPECT_EQ(listing.profiles.size(), want.size()) << listing.bytes;
  // One profile answers to each of its identities.
  for (const auto& [field, v, customer_id] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"email", "dana.ortiz@example.org", "acct-4410"},
           {"cio_id", "a1b2c3d4e5f6", "acct-4410"},
           {"email", "lee.park@example.net", "acct-7781"},
           {"email", "old.address@example.net", "acct-7781"},  // the bounced recipient
           {"email", "sam.reyes@example.com", "u-9001"}}) {
    Reply r = Lookup(server(), field, v);
    ASSERT_EQ(r.status, 200) << field << "=" << v << ": " << r.Describe();
    EXPECT_EQ(corpus::WithoutSegments(r.Data().as_object()), want[customer_id])
        << field << "=" << v;
  }
  Reply lee = Lookup(server(), "email", "lee.park@example.net");
  EXPECT_EQ(lee.json.at("meta").at("by_fields"), (array{"cio_customer_id", "email"}))
      << lee.Describe();
  // A phone number or a webhook URL is not an email.
  EXPECT_EQ(Lookup(server(), "email", "%2B15555550123").status, 404);

  // 6. New events keep the profiles current with no further action.
  Reply jobs_before = server().Get("/api/job", admin());
  ASSERT_EQ(jobs_before.status, 200);
  const std::string new_events =
      // acct-5120 opens an email at 2024-06-02T21:00:00Z, and now has an address.
      R"({"event_id":"01HZNEW0000000000000000001","object_type":"email","metric":"opened",)"
      R"("timestamp":1717362000,"data":{"customer_id":"acct-5120","campaign_id":77,)"
      R"("email_address":"Pat Kim <Pat.Kim@Example.COM>","subject":"Welcome back",)"
      R"("identifiers":{"id":"acct-5120"}}})"
      "\n"
      // Sam clicks, in the legacy format.
      R"({"event_id":"01HZNEW0000000000000000002","event_type":"email_clicked",)"
      R"("timestamp":1522340000,"data":{"campaign_id":"45","campaign_name":"Onboarding - Day 4",)"
      R"("customer_id":"u-9001","email_address":"SAM.reyes@example.com","subject":null}})"
      "\n"
      // A new person subscribes.
      R"({"event_id":"01HZNEW0000000000000000003","object_type":"customer","metric":"subscribed",)"
      R"("timestamp":1717362100,"data":{"identifiers":{"id":"acct-9999","cio_id":"ff00ff00",)"
      R"("email":"New.Person@example.org"}}})";
  Reply posted = server().Post(webhook, new_events, "");
  ASSERT_EQ(posted.status, 200) << posted.Describe();
  EXPECT_EQ(DataInt(posted, "message_count"), 3);

  want["acct-5120"]["email"] = "pat.kim@example.com";
  want["acct-5120"]["cio_events"].as_object()["email_opened"] = 1;
  want["acct-5120"]["cio_hourlyopens"] = object{{"21", 1}};
  want["acct-5120"]["cio_last_open_ts"] = "2024-06-02T21:00:00Z";
  want["acct-5120"]["last_active_ts"] = "2024-06-02T21:00:00Z";
  want["acct-5120"]["cio_subjects"] = array{"Welcome back"};
  want["acct-5120"]["cio_channels"] = array{"email", "sms", "webhook"};
  want["u-9001"]["cio_campaign_ids"] = array{"44", "45"};
  want["u-9001"]["cio_campaign_names"] = array{"Onboarding - Day 3", "Onboarding - Day 4"};
  want["u-9001"]["cio_events"].as_object()["email_clicked"] = 1;
  want["u-9001"]["last_active_ts"] = "2018-03-29T16:13:20Z";  // 1522340000
  want["u-9001"]["cio_email_last_clicked_ts"] = "2018-03-29T16:13:20Z";
  want["acct-9999"] = object{
      {"email", "new.person@example.org"},
      {"cio_customer_id", "acct-9999"},
      {"cio_id", "ff00ff00"},
      {"cio_events", object{{"customer_subscribed", 1}}},
      {"cio_channels", array{"customer"}},
      {"cio_unsubscribed", false},
  };
  EXPECT_TRUE(Eventually(
      [&] {
        Reply r = Lookup(server(), "cio_customer_id", "acct-9999");
        Reply s = Lookup(server(), "email", "pat.kim@example.com");
        return r.status == 200 && s.status == 200;
      },
      10s));
  ASSERT_TRUE(corpus::WaitForPipeline(server(), 30s));
  for (const auto& [customer_id, fields] : want) ExpectProfile(server(), customer_id, fields);
  Reply jobs_after = server().Get("/api/job", admin());
  EXPECT_EQ(jobs_after.Data(), jobs_before.Data()) << "new events started a job";

  // 7. A second run is harmless: it says so, and changes nothing.
  corpus::Listing before = corpus::ListProfiles(server(), 100);
  ASSERT_EQ(before.error, "");
  Reply second = server().Post("/api/workflow", kWorkflowBody, admin());
  ASSERT_EQ(second.status, 200) << second.Describe();
  const std::string second_id = Str(second.Data(), "id");
  EXPECT_NE(second_id, run_id);
  object second_run = WaitForRun(server(), second_id, 30s);
  EXPECT_EQ(second_run.at("status"), value("completed")) << value(second_run);
  EXPECT_TRUE(LogMentions(second_run, "already installed")) << value(second_run);
  ASSERT_TRUE(corpus::WaitForPipeline(server(), 30s));
  corpus::Listing after = corpus::ListProfiles(server(), 100);
  ASSERT_EQ(after.error, "");
  EXPECT_TRUE(after.bytes == before.bytes) << "before:\n"
                                           << before.bytes << "\nafter:\n"
                                           << after.bytes;
  EXPECT_EQ(server().Get("/api/job", admin()).Data(), jobs_before.Data())
      << "the second run started a rebuild";

  // 8. Runs and profiles are kept across a restart.
  Status restarted = server().Restart();
  ASSERT_TRUE(restarted.ok()) << restarted.message();
  Reply listed = server().Get("/api/workflow", admin());
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  ASSERT_EQ(listed.Data().as_array().size(), 2u) << listed.Describe();
  for (const auto& r : listed.Data().as_array()) {
    EXPECT_EQ(r.at("status"), value("completed")) << r;
  }
  ASSERT_TRUE(corpus::WaitForPipeline(server(), 30s));
  corpus::Listing restarted_listing = corpus::ListProfiles(server(), 100);
  EXPECT_TRUE(restarted_listing.bytes == before.bytes);
}

TEST(WorkflowRestartTest, SigkillMidRunEndsCompletedOrFailedNeverStuck) {
  const corpus::Corpus c = corpus::Generate({.people = 2000, .events = 40000, .seed = 31});
  const auto bodies =
      corpus::Bodies(c, corpus::Shuffled(c.events.size(), 3), corpus::Framing::kNdjson, 500);
  const auto start = std::chrono::steady_clock::now();
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started.message();
  {
    corpus::BodyPoster poster(&bodies, 2);
    poster.Start(&server, corpus::CustomerIoTarget(server));
    poster.Join();
    ASSERT_EQ(poster.error(), "");
    ASSERT_TRUE(poster.all_acked());
  }
  ASSERT_TRUE(corpus::WaitForPipeline(server, 60s));

  Reply r = server.Post("/api/workflow", kWorkflowBody, server.admin_token());
  ASSERT_EQ(r.status, 200) << r.Describe();
  const std::string id = Str(r.Data(), "id");
  std::string seen;
  bool killed = Eventually(
      [&] {
        Reply g = server.Get("/api/workflow/" + id, server.admin_token());
        seen = g.Describe();
        if (g.status != 200) return false;
        if (g.Data().at("status") != value("running")) return true;
        if (IntField(g.Data().at("progress"), "done") > 0) {
          server.Kill();
          return true;
        }
        return false;
      },
      30s, 1ms);
  ASSERT_TRUE(killed) << seen;
  ASSERT_FALSE(server.running()) << "the run ended before a kill could land: " << seen;
  std::printf("[ killed ] mid-run: %s\n", seen.c_str());

  started = server.Start();
  ASSERT_TRUE(started.ok()) << started.message();
  object run = WaitForRun(server, id, 60s);
  const value status = run.at("status");
  ASSERT_TRUE(status == value("completed") || status == value("failed")) << value(run);
  EXPECT_TRUE(run.at("finished").is_string()) << value(run);
  if (status == value("failed")) {
    EXPECT_FALSE(Str(value(run), "reason").empty()) << value(run);
    // Then running it again completes.
    Reply again = server.Post("/api/workflow", kWorkflowBody, server.admin_token());
    ASSERT_EQ(again.status, 200) << again.Describe();
    object second = WaitForRun(server, Str(again.Data(), "id"), 60s);
    ASSERT_EQ(second.at("status"), value("completed")) << value(second);
  }
  std::printf("[ after  ] %s\n", boost::json::serialize(run).c_str());
  ASSERT_TRUE(corpus::WaitForPipeline(server, 60s));
  corpus::Listing listing = corpus::ListProfiles(server, 1000);
  ASSERT_EQ(listing.error, "");
  EXPECT_EQ(corpus::ExpectProfilesMatch(listing.profiles, corpus::ExpectedProfiles(c.truth)), 0u);
  std::printf("[ done   ] %zu profiles, %.1f s\n", listing.profiles.size(),
              corpus::SecondsSince(start));
}

}  // namespace
}  // namespace cohort::integration
