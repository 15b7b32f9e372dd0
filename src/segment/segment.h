// CompiledSegment: an audience filter (SPEC §7, docs/audiences.md) compiled for the rest of
// Cohort — the API validates and stores it, the audience module evaluates it on profiles as
// they change and as time passes.
//
//   segment::Schema schema{fields, [&](std::string_view slug) { return SavedText(slug); }};
//   ASSIGN_OR_RETURN(auto seg, segment::Compile(text, schema));
//   bool in = seg->Matches(profile, clock.NowMs());
//   if (auto t = seg->NextChange(profile, now)) timers.Schedule(profile_id, *t);
//
// The pipeline: lang::Tokenize → Parse (parser.h) → Bind against the Schema (binder.h) →
// CompileProgram (compiler.h) → Evaluate / NextChange (evaluator.h).
//
// A CompiledSegment is immutable and does not refer to the Schema after Compile; share it
// freely (std::shared_ptr<const CompiledSegment>) and evaluate it on any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/status.h"
#include "lang/error.h"
#include "profile/profile.h"
#include "segment/binder.h"
#include "segment/compiler.h"
#include "segment/schema.h"

namespace cohort::segment {

class CompiledSegment {
 public:
  const std::string& text() const { return text_; }    // the filter as given
  const std::string& alias() const { return alias_; }  // ALIAS slug, "" if none

  // Whether `p` is in the audience at instant `now_ms` (ms since the epoch; date maths like
  // "now-7d" is resolved against it). Never fails: a missing field (or map key), or a value
  // of another kind than the schema said, makes the atoms reading it false.
  bool Matches(const profile::Profile& p, int64_t now_ms) const;

  // For time-relative filters: the earliest instant t > now_ms at which Matches(p, t) differs
  // from Matches(p, now_ms), the profile unchanged; nullopt if that never happens (always
  // for filters that are not time_relative). Exact, except that for a filter with very many
  // time conditions over one profile it may answer earlier than the change (never later);
  // see evaluator.h. So a timer index may schedule a re-evaluation at the returned instant.
  std::optional<int64_t> NextChange(const profile::Profile& p, int64_t now_ms) const;

  // Whether some date condition is relative to now ("now-7d"), here or in an included audience.
  bool time_relative() const { return bound_.time_relative; }
  // The top-level fields the filter reads, through INCLUDE too: a profile change that touches
  // none of them cannot change Matches.
  const std::set<std::string>& fields() const { return bound_.fields; }
  // The audiences it includes, directly or through others: recompile it when one of them
  // changes (their text was inlined at compile time).
  const std::set<std::string>& includes() const { return bound_.includes; }
  // The checked tree (e.g. for planning with indexes).
  const BoundFilter& bound() const { return bound_; }

 private:
  friend lang::Result<std::shared_ptr<const CompiledSegment>> CompileWithPosition(std::string_view,
                                                                                  const Schema&,
                                                                                  std::string_view);
  CompiledSegment() = default;

  std::string text_;
  std::string alias_;
  BoundFilter bound_;
  Program program_;
};

// Parses, binds and compiles an audience filter against `schema`. `self_slug` is the slug it
// will be saved under if that is not its ALIAS ("" for ad-hoc filters); it makes an INCLUDE
// of itself a cycle. Errors: kInvalidArgument, "line L, column C: <what is wrong>; <what to
// do>" — unknown fields and audiences, operators and literals that do not fit a field's kind,
// INCLUDE cycles, syntax (docs/audiences.md, "Errors").
StatusOr<std::shared_ptr<const CompiledSegment>> Compile(std::string_view text,
                                                         const Schema& schema,
                                                         std::string_view self_slug = {});

// Like Compile, keeping the error's position as data (for editors and golden tests).
lang::Result<std::shared_ptr<const CompiledSegment>> CompileWithPosition(
    std::string_view text, const Schema& schema, std::string_view self_slug = {});

}  // namespace cohort::segment
