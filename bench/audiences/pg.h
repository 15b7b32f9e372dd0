// A small libpq wrapper for the audience benchmark: run statements, read one row, stream a
// COPY. Not thread-safe (one connection, one thread).
#pragma once

#include <libpq-fe.h>

#include <string>
#include <string_view>
#include <vector>

namespace cohort::bench::aud {

class Pg {
 public:
  Pg() = default;
  Pg(const Pg&) = delete;
  Pg& operator=(const Pg&) = delete;
  ~Pg() {
    if (conn_) PQfinish(conn_);
  }

  bool Connect(const std::string& conninfo, std::string* err) {
    conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      *err = PQerrorMessage(conn_);
      return false;
    }
    return true;
  }

  // Runs one or more statements (in one implicit transaction); returns the first row of the
  // last result (empty if it has none).
  bool Exec(const std::string& sql, std::vector<std::string>* row, std::string* err) {
    if (row) row->clear();
    PGresult* r = PQexec(conn_, sql.c_str());
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) {
      *err = PQresultErrorMessage(r);
    } else if (row && st == PGRES_TUPLES_OK && PQntuples(r) > 0) {
      for (int c = 0; c < PQnfields(r); ++c) row->push_back(PQgetvalue(r, 0, c));
    }
    PQclear(r);
    return ok;
  }

  // All rows, first column only (EXPLAIN output).
  bool Lines(const std::string& sql, std::vector<std::string>* out, std::string* err) {
    out->clear();
    PGresult* r = PQexec(conn_, sql.c_str());
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) {
      *err = PQresultErrorMessage(r);
    } else {
      for (int i = 0; i < PQntuples(r); ++i) out->push_back(PQgetvalue(r, i, 0));
    }
    PQclear(r);
    return ok;
  }

  bool CopyBegin(const std::string& sql, std::string* err) {
    PGresult* r = PQexec(conn_, sql.c_str());
    bool ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok) *err = PQresultErrorMessage(r);
    PQclear(r);
    return ok;
  }
  bool CopyData(std::string_view data, std::string* err) {
    if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
      *err = PQerrorMessage(conn_);
      return false;
    }
    return true;
  }
  bool CopyEnd(std::string* err) {
    if (PQputCopyEnd(conn_, nullptr) != 1) {
      *err = PQerrorMessage(conn_);
      return false;
    }
    bool ok = true;
    while (PGresult* r = PQgetResult(conn_)) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        *err = PQresultErrorMessage(r);
        ok = false;
      }
      PQclear(r);
    }
    return ok;
  }

 private:
  PGconn* conn_ = nullptr;
};

}  // namespace cohort::bench::aud
