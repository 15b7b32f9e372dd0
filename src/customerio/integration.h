// The Customer.io integration: its catalogue entry, the "Import Webhook Events" workflow
// definition, and the default mapping query of SPEC §6 (alias customerio_events_user). The
// query text lives here and only here; tests/golden/mapping/customerio_default.test proves
// what it produces, and a test checks the two are the same text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cohort::customerio {

inline constexpr std::string_view kIntegrationId = "customerio";
inline constexpr std::string_view kImportWorkflowId = "import_webhook_events";
inline constexpr std::string_view kDefaultQueryAlias = "customerio_events_user";

// The default query text (SPEC §6).
std::string_view DefaultQueryText();

struct WorkflowOption {
  std::string id;      // "webhook_configured"
  std::string label;   // "I have set up the Customer.io webhook"
  std::string type;    // "bool"
  bool required = false;
};

struct WorkflowDef {
  std::string id;           // "import_webhook_events"
  std::string name;         // "Import Webhook Events"
  std::string description;
  std::vector<WorkflowOption> options;
};

struct IntegrationDef {
  std::string id;                    // "customerio"
  std::string name;                  // "Customer.io"
  std::string description;
  std::string webhook_path;          // "/collect/json/customerio"
  std::vector<std::string> setup_steps;
  std::vector<WorkflowDef> workflows;
};

const IntegrationDef& CustomerIoIntegration();

// "<base>/collect/json/customerio?key=<token>" (token URL-encoded).
std::string WebhookUrl(std::string_view base_url, std::string_view collect_token);

}  // namespace cohort::customerio
