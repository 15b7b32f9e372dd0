#include "audience/webhook.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "auth/crypto.h"
#include "common/coding.h"
#include "common/thread_setup.h"
#include "common/time_format.h"
#include "http/client.h"
#include "profile/json_writer.h"
#include "stream/key_codec.h"

namespace cohort::audience {
namespace {

std::string CursorKey(uint32_t seg) {
  std::string n;
  PutBigEndian32(&n, seg);
  return stream::MetaKey("webhook_cursor", n);
}

int64_t WallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

WebhookSender::WebhookSender(storage::Db* db, AudienceEngine* engine, const Clock* clock)
    : db_(db), engine_(engine), clock_(clock) {}

WebhookSender::~WebhookSender() { Stop(); }

Status WebhookSender::Start() {
  for (const auto& info : engine_->List()) {
    ASSIGN_OR_RETURN(auto v, db_->Get(storage::Family::kMeta, CursorKey(info.def.id)));
    if (v) {
      std::string_view in = *v;
      uint64_t seq;
      if (!GetBigEndian64(&in, &seq)) return InternalError("webhook cursor is corrupt");
      state_[info.def.id].delivered = seq;
    }
  }
  thread_ = std::thread([this] {
    SetThreadName("cohort-webhook");
    Run();
  });
  return Status::Ok();
}

void WebhookSender::Stop() {
  {
    std::lock_guard l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::Poke() {
  {
    std::lock_guard l(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

DeliveryState WebhookSender::StateOf(uint32_t segment_id) const {
  std::lock_guard l(mu_);
  auto it = state_.find(segment_id);
  return it == state_.end() ? DeliveryState{} : it->second;
}

bool WebhookSender::DeliverOne(const AudienceInfo& info) {
  DeliveryState st;
  {
    std::lock_guard l(mu_);
    auto it = state_.find(info.def.id);
    if (it == state_.end()) {
      // First sight of this audience: resume from its persisted cursor.
      auto v = db_->Get(storage::Family::kMeta, CursorKey(info.def.id));
      DeliveryState fresh;
      if (v.ok() && *v) {
        std::string_view in = **v;
        GetBigEndian64(&in, &fresh.delivered);
      }
      it = state_.emplace(info.def.id, fresh).first;
    }
    st = it->second;
  }
  if (info.last_change_seq <= st.delivered || WallMs() < st.next_attempt_ms) return false;
  auto changes = engine_->Changes(info.def.slug, st.delivered, 100);
  if (!changes.ok() || changes->empty()) return false;
  profile::JsonWriter w;
  w.BeginObject();
  w.Key("segment");
  w.String(info.def.slug);
  w.Key("changes");
  w.BeginArray();
  for (const auto& c : *changes) {
    w.BeginObject();
    w.Key("cursor");
    w.String(std::to_string(c.seq));
    w.Key("profile");
    w.String(c.profile);
    w.Key("email");
    w.String(c.email);
    w.Key("change");
    w.String(c.enter ? "enter" : "exit");
    w.Key("at");
    w.String(FormatRfc3339(c.at_ms));
    w.Key("reason");
    w.String(c.reason);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::string body = std::move(w).Release();
  std::string ts = std::to_string(WallMs() / 1000);
  http::HttpCall call;
  call.method = "POST";
  call.url = info.def.webhook_url;
  call.body = body;
  call.timeout_ms = 10000;
  call.headers = {{"Content-Type", "application/json"},
                  {"X-Cohort-Timestamp", ts},
                  {"X-Cohort-Signature",
                   auth::HmacSha256Hex(info.def.webhook_secret, "v0:" + ts + ":" + body)}};
  auto res = http::Fetch(call);
  std::lock_guard l(mu_);
  DeliveryState& s = state_[info.def.id];
  if (res.ok() && res->status >= 200 && res->status < 300) {
    uint64_t last = changes->back().seq;
    storage::WriteBatch b;
    std::string v;
    PutBigEndian64(&v, last);
    b.Put(storage::Family::kMeta, CursorKey(info.def.id), v);
    Status ps = db_->Write(&b, /*sync=*/true);
    if (!ps.ok()) spdlog::warn("webhook cursor of {} not saved: {}", info.def.slug, ps.message());
    s.delivered = last;
    s.attempts = 0;
    s.last_error.clear();
    s.last_success_ms = WallMs();
    s.next_attempt_ms = 0;
    delivered_total_ += changes->size();
    return true;
  }
  ++s.attempts;
  s.last_error = res.ok() ? "HTTP " + std::to_string(res->status) : res.status().message();
  int64_t backoff = std::min<int64_t>(60000, 1000LL << std::min<uint64_t>(s.attempts - 1, 6));
  s.next_attempt_ms = WallMs() + backoff;
  return false;
}

void WebhookSender::Run() {
  for (;;) {
    bool sent = false;
    for (const auto& info : engine_->List()) {
      if (info.def.webhook_url.empty()) continue;
      sent |= DeliverOne(info);
    }
    std::unique_lock l(mu_);
    if (stop_) return;
    if (!sent) {
      cv_.wait_for(l, std::chrono::milliseconds(200), [&] { return stop_ || poked_; });
      poked_ = false;
      if (stop_) return;
    }
  }
}

}  // namespace cohort::audience
