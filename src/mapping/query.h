// CompiledQuery: a mapping statement (SPEC §5) compiled for the rest of Cohort — the API
// stores and shows it, the pipeline evaluates it on every event of its stream.
//
//   ASSIGN_OR_RETURN(auto q, mapping::Compile(text));
//   std::optional<Evaluation> r = q->Evaluate(event, event_time_ms, now_ms);
//   if (r) { apply r->updates to the profile named by r->identities }
//
// A CompiledQuery is immutable; share it freely (std::shared_ptr<const CompiledQuery>) and
// evaluate it on any number of threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "common/status.h"
#include "lang/error.h"
#include "mapping/evaluator.h"
#include "mapping/identity_guard.h"
#include "mapping/value.h"

namespace cohort::mapping {

struct Plan;

// One column of a compiled statement: the user field it updates and how.
struct ColumnInfo {
  std::string name;
  Kind kind = Kind::kString;
  MergeOp op = MergeOp::kLatest;  // resolved, never kDefault
  std::string shortdesc;          // "" if not given
  std::string longdesc;           // "" if not given
  std::string source;             // the column as written, e.g. `set(subject) AS cio_subjects`
  bool identity = false;          // named in BY
};

class CompiledQuery {
 public:
  ~CompiledQuery();
  CompiledQuery(const CompiledQuery&) = delete;
  CompiledQuery& operator=(const CompiledQuery&) = delete;

  const std::string& text() const { return text_; }           // the statement as given
  const std::string& alias() const { return alias_; }         // ALIAS
  const std::string& from() const { return from_; }           // the stream it reads
  const std::string& into() const { return into_; }           // always "user"
  const std::vector<std::string>& by() const { return by_; }  // identity fields, in order
  const std::vector<ColumnInfo>& columns() const { return columns_; }
  // The column updating `field`, or nullptr.
  const ColumnInfo* FindColumn(std::string_view field) const;

  // Evaluates the statement on one event. `event` should be a JSON object (anything else has
  // no fields); `event_time_ms` is the event's time (SPEC §3.3), used by epochms(),
  // hourofday(), dayofweek() and set on every update; `now_ms` is what now() gives. Returns
  // nothing if WHERE does not hold. Identity values `guard` rejects are dropped.
  // Never fails: a field that is missing or of the wrong type makes its expression empty.
  std::optional<Evaluation> Evaluate(const simdjson::dom::element& event, int64_t event_time_ms,
                                     int64_t now_ms,
                                     const IdentityGuard& guard = IdentityGuard::Default()) const;

  // Like Evaluate, on the JSON text of an event, parsed with a per-thread parser.
  // Errors: kInvalidArgument if `json` is not valid JSON or not an object.
  StatusOr<std::optional<Evaluation>> EvaluateJson(
      std::string_view json, int64_t event_time_ms, int64_t now_ms,
      const IdentityGuard& guard = IdentityGuard::Default()) const;

 private:
  friend lang::Result<std::shared_ptr<const CompiledQuery>> CompileWithPosition(
      std::string_view text);
  CompiledQuery() = default;

  std::string text_;
  std::string alias_;
  std::string from_;
  std::string into_;
  std::vector<std::string> by_;
  std::vector<ColumnInfo> columns_;
  std::unique_ptr<const Plan> plan_;
};

// Parses, binds and compiles a mapping statement. Errors: kInvalidArgument with the message
// "line L, column C: <what is wrong>; <what to do>".
StatusOr<std::shared_ptr<const CompiledQuery>> Compile(std::string_view text);

// Like Compile, keeping the error's position as data (for editors and golden tests).
lang::Result<std::shared_ptr<const CompiledQuery>> CompileWithPosition(std::string_view text);

}  // namespace cohort::mapping
