//! The OpenAPI 3.1 document of the API. It is written by hand (`openapi.json` beside
//! `Cargo.toml`), so it says what the API promises rather than what the code happens to do;
//! the tests keep the two together: every route must be documented, and every response the
//! API tests receive must conform to its documented schema ([`conforms`]).

use axum::http::header;
use axum::response::IntoResponse;
use serde_json::Value;

pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

/// Checks `value` against `schema`, resolving `$ref`s in `doc`. Supports the subset of JSON
/// Schema the document uses: `type`, `enum`, `properties`, `required`, `additionalProperties`,
/// `items`, `anyOf`, `oneOf`, `minimum`, `maximum`. Returns the path of the first mismatch.
pub fn conforms(value: &Value, schema: &Value, doc: &Value) -> Result<(), String> {
    check(value, schema, doc, "$")
}

fn check(v: &Value, s: &Value, doc: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let target = r
            .strip_prefix("#/")
            .map(|p| p.split('/').fold(doc, |n, k| &n[k]))
            .filter(|t| !t.is_null())
            .ok_or_else(|| format!("{at}: unresolved {r}"))?;
        return check(v, target, doc, at);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(list) = s.get(key).and_then(Value::as_array) {
            let passing = list.iter().filter(|alt| check(v, alt, doc, at).is_ok()).count();
            let ok = if key == "oneOf" { passing == 1 } else { passing >= 1 };
            if !ok {
                return Err(format!("{at}: {v} matches {passing} of the {key} alternatives"));
            }
        }
    }
    if let Some(t) = s.get("type").and_then(Value::as_str) {
        let ok = match t {
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            "null" => v.is_null(),
            _ => false,
        };
        if !ok {
            return Err(format!("{at}: expected {t}, got {v}"));
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        return Err(format!("{at}: {v} is not one of {}", Value::Array(e.clone())));
    }
    if let (Some(min), Some(n)) = (s.get("minimum").and_then(Value::as_i64), v.as_i64())
        && n < min
    {
        return Err(format!("{at}: {n} < {min}"));
    }
    if let (Some(max), Some(n)) = (s.get("maximum").and_then(Value::as_i64), v.as_i64())
        && n > max
    {
        return Err(format!("{at}: {n} > {max}"));
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            check(x, items, doc, &format!("{at}[{i}]"))?;
        }
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        if let Some(req) = s.get("required").and_then(Value::as_array) {
            for r in req.iter().filter_map(Value::as_str) {
                if !obj.contains_key(r) {
                    return Err(format!("{at}: missing required {r}"));
                }
            }
        }
        for (k, x) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => check(x, ps, doc, &format!("{at}.{k}"))?,
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) if props.is_some() => {
                        return Err(format!("{at}: undocumented property {k}"));
                    }
                    Some(extra @ Value::Object(_)) => check(x, extra, doc, &format!("{at}.{k}"))?,
                    _ => {}
                },
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ROUTES;

    fn doc() -> Value {
        serde_json::from_str(DOCUMENT).unwrap()
    }

    #[test]
    fn every_route_is_documented_and_nothing_else() {
        let d = doc();
        let paths = d["paths"].as_object().unwrap();
        for (method, path) in ROUTES {
            assert!(paths.get(*path).and_then(|p| p.get(*method)).is_some(), "{method} {path} is not documented");
        }
        let documented: usize =
            paths.values().map(|p| p.as_object().unwrap().keys().filter(|k| *k != "parameters").count()).sum();
        assert_eq!(documented, ROUTES.len(), "the document describes routes the server does not have");
    }

    /// A JSON body can always be refused before its handler runs: too large (413), or sent
    /// without `Content-Type: application/json` (415); both answers carry the error schema.
    #[test]
    fn every_json_body_may_be_refused_as_too_large_or_of_the_wrong_type() {
        let d = doc();
        let mut bodies = 0;
        for (path, item) in d["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if op["requestBody"]["content"].get("application/json").is_none() {
                    continue;
                }
                bodies += 1;
                for status in ["413", "415", "400", "422"] {
                    let schema = &op["responses"][status]["content"]["application/json"]["schema"];
                    assert_eq!(schema["$ref"], "#/components/schemas/Error", "{method} {path} {status}");
                }
            }
        }
        assert!(bodies >= 11, "only {bodies} operations with a JSON body");
    }

    #[test]
    fn every_reference_resolves() {
        let d = doc();
        fn walk(v: &Value, d: &Value) {
            match v {
                Value::Object(m) => {
                    if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                        assert!(
                            conforms(&Value::Null, &serde_json::json!({"$ref": r}), d)
                                .map_or_else(|e| !e.contains("unresolved"), |_| true),
                            "{r}"
                        );
                    }
                    m.values().for_each(|x| walk(x, d));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, d)),
                _ => {}
            }
        }
        walk(&d, &d);
    }

    #[test]
    fn the_checker_catches_what_it_should() {
        let d = doc();
        let err = serde_json::json!({"error": {"code": "not_found", "message": "任务 1不存在"}});
        conforms(&err, &serde_json::json!({"$ref": "#/components/schemas/Error"}), &d).unwrap();
        let bad = serde_json::json!({"error": {"code": "nope", "message": "x"}});
        assert!(conforms(&bad, &serde_json::json!({"$ref": "#/components/schemas/Error"}), &d).is_err());
        let extra = serde_json::json!({"error": {"code": "not_found", "message": "x", "secret": 1}});
        assert!(conforms(&extra, &serde_json::json!({"$ref": "#/components/schemas/Error"}), &d).is_err());
        let missing = serde_json::json!({"error": {"code": "not_found"}});
        assert!(conforms(&missing, &serde_json::json!({"$ref": "#/components/schemas/Error"}), &d).is_err());
    }
}
