// Text functions: email(), emaildomain(), domain(), urlmain(), lower(), upper(), string(),
// int(), number(). Each works on a scalar or on each member of a list (EachScalar).
#include <cctype>
#include <string>
#include <string_view>

#include "common/email.h"
#include "mapping/builtins.h"
#include "mapping/convert.h"

namespace cohort::mapping::builtins {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Scalar NonEmptyString(std::string s) {
  return s.empty() ? Scalar::Null() : Scalar::String(std::move(s));
}

// Drops "scheme://" (scheme = a letter, then letters, digits, + - .) or a leading "//".
std::string_view DropScheme(std::string_view s) {
  size_t sep = s.find("://");
  if (sep != std::string_view::npos && sep > 0 && std::isalpha(static_cast<unsigned char>(s[0]))) {
    bool scheme = true;
    for (size_t k = 0; k < sep; ++k) {
      unsigned char c = static_cast<unsigned char>(s[k]);
      scheme = scheme && (std::isalnum(c) || c == '+' || c == '-' || c == '.');
    }
    if (scheme) return s.substr(sep + 3);
  }
  if (s.substr(0, 2) == "//") return s.substr(2);
  return s;
}

// The host of a URL ("https://user@Www.Example.com:8443/a?b" → "www.example.com"), or "".
std::string UrlHost(std::string_view url) {
  std::string_view s = DropScheme(Trim(url));
  std::string_view host = s.substr(0, s.find_first_of("/?#"));
  size_t at = host.rfind('@');
  if (at != std::string_view::npos) host.remove_prefix(at + 1);
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return "";
    host = host.substr(0, close + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string out;
  for (char c : host) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '.' || c == '-' || c == '_' || c == '[' || c == ']' || c == ':' ||
          u >= 0x80)) {
      return "";
    }
    out.push_back(static_cast<char>(std::tolower(u)));
  }
  return out;
}

std::string AsciiCase(std::string s, bool upper) {
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    c = static_cast<char>(upper ? std::toupper(u) : std::tolower(u));
  }
  return s;
}

}  // namespace

Datum Email(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0],
                    [](const Scalar& s) { return NonEmptyString(NormalizeEmail(ScalarText(s))); });
}

Datum EmailDomainOf(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0],
                    [](const Scalar& s) { return NonEmptyString(EmailDomain(ScalarText(s))); });
}

Datum Domain(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0], [](const Scalar& s) {
    std::string text = ScalarText(s);
    if (text.find("://") == std::string::npos) {
      std::string d = EmailDomain(text);
      if (!d.empty()) return Scalar::String(std::move(d));
    }
    return NonEmptyString(UrlHost(text));
  });
}

Datum UrlMain(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0], [](const Scalar& s) {
    std::string text = ScalarText(s);
    std::string_view rest = DropScheme(Trim(text));
    rest = rest.substr(0, rest.find_first_of("?#"));
    size_t slash = rest.find('/');
    std::string_view host = rest.substr(0, slash);
    size_t at = host.rfind('@');
    if (at != std::string_view::npos) host.remove_prefix(at + 1);
    std::string out = AsciiCase(std::string(host), false);
    if (slash != std::string_view::npos) out.append(rest.substr(slash));
    return NonEmptyString(std::move(out));
  });
}

Datum Lower(std::span<Datum> a, const EvalContext&) {
  return EachScalar(
      a[0], [](const Scalar& s) { return NonEmptyString(AsciiCase(ScalarText(s), false)); });
}

Datum Upper(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0],
                    [](const Scalar& s) { return NonEmptyString(AsciiCase(ScalarText(s), true)); });
}

Datum String(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0], [](const Scalar& s) { return NonEmptyString(ScalarText(s)); });
}

Datum Int(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0], [](const Scalar& s) {
    std::optional<int64_t> v = ToInt(s);
    return v ? Scalar::Int(*v) : Scalar::Null();
  });
}

Datum Number(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0], [](const Scalar& s) {
    std::optional<double> v = ToNumber(s);
    return v ? Scalar::Number(*v) : Scalar::Null();
  });
}

}  // namespace cohort::mapping::builtins
