#include "customerio/integration.h"

#include <cctype>

namespace cohort::customerio {

std::string_view DefaultQueryText() {
  static const std::string text = R"cohortq(-- Default Customer.io query (SPEC §6): customerio_events → user fields.
SELECT
  email(email)          AS email              SHORTDESC "Email address"
                                              LONGDESC "Normalised email address of the person, an identity" KIND string,
  customer_id           AS cio_customer_id    SHORTDESC "Customer.io customer id" KIND string,
  cio_id                AS cio_id             SHORTDESC "Customer.io id" KIND string,
  set(campaign_id)      AS cio_campaign_ids   SHORTDESC "Customer.io campaign ids",
  set(campaign_name)    AS cio_campaign_names SHORTDESC "Customer.io campaign names",
  valuect(event)        AS cio_events         SHORTDESC "Customer.io events by type",
  valuect(hourofday())  AS cio_hourlyopens    IF event = "email_opened"
                                              SHORTDESC "Email opens by hour of day (UTC)",
  epochms()             AS cio_last_open_ts   IF event = "email_opened"
                                              SHORTDESC "Last email open" KIND date,
  set(subject)          AS cio_subjects       SHORTDESC "Subjects of messages received",
  epochms()             AS last_active_ts     IF metric IN ("opened", "clicked")
                                              SHORTDESC "Last open or click, any channel" KIND date,
  set(object_type)      AS cio_channels       SHORTDESC "Channels reached on",
  set(journey_id)       AS cio_journey_ids    SHORTDESC "Customer.io journey ids",
  epochms()             AS cio_email_last_send_ts    IF event = "email_sent"
                                              SHORTDESC "Last email sent" KIND date,
  epochms()             AS cio_email_last_clicked_ts IF event = "email_clicked"
                                              SHORTDESC "Last email clicked" KIND date,
  epochms()             AS cio_email_last_bounced_ts IF event = "email_bounced"
                                              SHORTDESC "Last email bounced" KIND date,
  metric = "unsubscribed" AS cio_unsubscribed IF metric IN ("subscribed", "unsubscribed")
                                              SHORTDESC "Unsubscribed" KIND bool MERGEOP latest
FROM customerio_events
INTO user
BY cio_id OR cio_customer_id OR email
ALIAS customerio_events_user
)cohortq";
  return text;
}

const IntegrationDef& CustomerIoIntegration() {
  static const IntegrationDef def = [] {
    IntegrationDef d;
    d.id = std::string(kIntegrationId);
    d.name = "Customer.io";
    d.description =
        "Import Customer.io reporting webhook events (email, SMS, push, Slack, webhook and "
        "in-app activity) and turn them into user fields.";
    d.webhook_path = "/collect/json/customerio";
    d.setup_steps = {
        "Create a collect token (Account Settings → API tokens → Create token, role collect).",
        "In Customer.io open Data & Integrations → Reporting Webhooks → Add Reporting Webhook.",
        "Paste the webhook URL shown here (it carries the collect token as ?key=).",
        "Choose the events to send (all of them is best) and save the webhook.",
        "Optional: copy the webhook's signing key into the signing key setting here, so Cohort "
        "verifies X-CIO-Signature on every request.",
        "Start the Import Webhook Events workflow with its box ticked.",
    };
    WorkflowDef w;
    w.id = std::string(kImportWorkflowId);
    w.name = "Import Webhook Events";
    w.description =
        "Installs the default Customer.io query (customerio_events_user) and builds profiles "
        "from every Customer.io event already stored; new events keep them current.";
    w.options.push_back({"webhook_configured", "I have set up the Customer.io webhook", "bool", true});
    d.workflows.push_back(std::move(w));
    return d;
  }();
  return def;
}

std::string WebhookUrl(std::string_view base_url, std::string_view collect_token) {
  std::string url(base_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/collect/json/customerio?key=";
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : collect_token) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      url.push_back(static_cast<char>(c));
    } else {
      url.push_back('%');
      url.push_back(hex[c >> 4]);
      url.push_back(hex[c & 15]);
    }
  }
  return url;
}

}  // namespace cohort::customerio
